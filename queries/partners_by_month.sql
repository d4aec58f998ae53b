-- Partner contributions to the compounds in $compound_ids by month and kind of contribution,
-- for [$period_start, $period_end).
SELECT
    date_trunc('month', contributed_on)::DATE AS month,
    kind,
    sum(value_yuan) AS value_yuan,
    sum(volunteer_hours) AS volunteer_hours,
    count(*) AS contributions
FROM contributions
WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
  AND contributed_on >= $period_start::DATE AND contributed_on < $period_end::DATE
GROUP BY ALL
ORDER BY month, kind
