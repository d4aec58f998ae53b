-- Requests received in [$period_start, $period_end) by category, with their closure rate (办结率).
-- Whole months read rollup_requests_breakdown (rollups.py); any other period (the weekly report) the
-- requests themselves, the same counts; the parameters alone choose, so the other branch is never run.
WITH counted AS (
    SELECT category, sum(requests) AS requests, sum(resolved) AS resolved
    FROM rollup_requests_breakdown
    WHERE $period_start::DATE = date_trunc('month', $period_start::DATE)
      AND $period_end::DATE = date_trunc('month', $period_end::DATE)
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND month >= $period_start::DATE AND month < $period_end::DATE
      AND category IS NOT NULL
    GROUP BY category
    UNION ALL
    SELECT category, count(*), count(resolved_at)
    FROM requests
    WHERE NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
               AND $period_end::DATE = date_trunc('month', $period_end::DATE))
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
    GROUP BY category
)
SELECT
    category,
    requests::BIGINT AS requests,
    resolved::BIGINT / requests::BIGINT AS closure_rate
FROM counted
ORDER BY requests DESC, category
