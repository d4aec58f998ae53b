-- Partner contributions received by each compound in $compound_ids in [$period_start, $period_end).
SELECT
    c.compound_id, c.name AS compound, m.name AS community,
    sum(k.value_yuan) AS value_yuan,
    sum(k.volunteer_hours) AS volunteer_hours,
    count(*) AS contributions,
    count(DISTINCT k.unit_id) AS units_active
FROM contributions k
JOIN compounds c USING (compound_id)
JOIN communities m USING (community_id)
WHERE k.compound_id IN (SELECT unnest(scope($compound_ids)))
  AND k.contributed_on >= $period_start::DATE AND k.contributed_on < $period_end::DATE
GROUP BY ALL
ORDER BY value_yuan DESC, c.compound_id
