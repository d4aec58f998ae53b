-- Requests received in [$period_start, $period_end) by category, with their closure rate (办结率).
SELECT
    category,
    count(*) AS requests,
    count(resolved_at) / count(*) AS closure_rate
FROM requests
WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
  AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
GROUP BY category
ORDER BY requests DESC, category
