-- Requests received in [$period_start, $period_end) by category, with their closure rate (办结率).
-- Whole months read rollup_requests_breakdown (rollups.py): its street rows when every compound is in scope,
-- else the compounds' rows; any other period (the weekly report) the requests themselves, the same counts.
-- The parameters and the scope alone choose, so the branches not taken read nothing.
WITH scope AS (
    SELECT compound_id FROM compounds WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
),
rolled AS (
    SELECT
        $period_start::DATE = date_trunc('month', $period_start::DATE)
            AND $period_end::DATE = date_trunc('month', $period_end::DATE) AS whole_months,
        (SELECT count(*) FROM scope) = (SELECT count(*) FROM compounds) AS whole_street
),
counted AS (
    SELECT category, sum(requests) AS requests, sum(resolved) AS resolved
    FROM rollup_requests_breakdown
    WHERE compound_id IS NULL
      AND (SELECT whole_months AND whole_street FROM rolled)
      AND month >= $period_start::DATE AND month < $period_end::DATE
      AND category IS NOT NULL
    GROUP BY category
    UNION ALL
    SELECT category, sum(requests), sum(resolved)
    FROM rollup_requests_breakdown
    WHERE compound_id IN (SELECT compound_id FROM scope WHERE (SELECT whole_months AND NOT whole_street FROM rolled))
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
