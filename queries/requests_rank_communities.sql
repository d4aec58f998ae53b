-- The communities of the compounds in $compound_ids ranked by 综合得分 of the requests received in
-- [$period_start, $period_end) (口径 as kpi_requests.sql); ranked only with at least $min_rated 回访 answers.
-- The rates come from request_rates (queries/rollup_define_request_rates.sql).
WITH rq AS (
    SELECT * FROM request_rates($period_start, $period_end, scope($compound_ids), 'community_id')
),
scored AS (
    SELECT
        m.community_id,
        m.name AS community,
        round(100 * ($w_response * rq.response_rate + $w_resolution * rq.resolution_rate
                     + $w_satisfaction * rq.satisfaction_rate), 1) AS composite_score,
        rq.response_rate, rq.closure_rate, rq.resolution_rate, rq.satisfaction_rate, rq.requests, rq.rated,
        rq.rated >= $min_rated AS ranked
    FROM rq JOIN communities m USING (community_id)
)
SELECT
    CASE WHEN ranked THEN row_number() OVER (PARTITION BY ranked ORDER BY composite_score DESC NULLS LAST,
        community_id) END AS rank,
    * EXCLUDE (ranked), ranked
FROM scored
ORDER BY ranked DESC, composite_score DESC NULLS LAST, community_id
