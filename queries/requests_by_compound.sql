-- The rates per compound for requests received in [$period_start, $period_end) (口径 as kpi_requests.sql).
-- ranked: enough 回访 answers ($min_rated) to enter a ranking.
-- The rates come from request_rates (queries/rollup_define_request_rates.sql).
SELECT
    c.compound_id,
    c.name AS compound,
    m.name AS community,
    n.requests,
    n.response_rate,
    n.closure_rate,
    n.resolution_rate,
    n.satisfaction_rate,
    n.rated,
    n.rated >= $min_rated AS ranked,
    n.unresolved AS open_requests
FROM request_rates($period_start, $period_end, scope($compound_ids), 'compound_id') n
JOIN compounds c USING (compound_id)
JOIN communities m USING (community_id)
ORDER BY closure_rate, c.compound_id
