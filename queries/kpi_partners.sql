-- What partner units gave in [$period_start, $period_end) to the compounds in $compound_ids.
SELECT
    coalesce(sum(value_yuan), 0) AS partner_value,
    coalesce(sum(volunteer_hours), 0) AS partner_hours,
    count(*) AS contributions_count,
    count(DISTINCT unit_id) AS partner_units_active,
    coalesce(sum(households_benefited), 0) AS households_benefited
FROM contributions
WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
  AND contributed_on >= $period_start::DATE AND contributed_on < $period_end::DATE
