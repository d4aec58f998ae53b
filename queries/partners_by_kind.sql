-- Partner contributions to the compounds in $compound_ids in [$period_start, $period_end), by kind of unit.
SELECT
    u.kind,
    count(DISTINCT u.unit_id) AS units_active,
    sum(k.value_yuan) AS value_yuan,
    sum(k.volunteer_hours) AS volunteer_hours,
    count(*) AS contributions
FROM contributions k JOIN partner_units u USING (unit_id)
WHERE k.compound_id IN (SELECT unnest(scope($compound_ids)))
  AND k.contributed_on >= $period_start::DATE AND k.contributed_on < $period_end::DATE
GROUP BY ALL
ORDER BY value_yuan DESC, u.kind
