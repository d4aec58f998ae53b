-- The communities of the compounds in $compound_ids ranked by 综合得分 of the requests received in
-- [$period_start, $period_end) (口径 as kpi_requests.sql); ranked only with at least $min_rated 回访 answers.
WITH rq AS (
    SELECT
        c.community_id,
        count(*) AS requests,
        count(*) FILTER (WHERE r.responded_at <= r.received_at + INTERVAL 24 HOUR) / count(*) AS response_rate,
        count(r.resolved_at) / count(*) AS closure_rate,
        count(*) FILTER (WHERE r.followup_resolved = 'resolved') / nullif(count(r.followup_resolved), 0)
            AS resolution_rate,
        count(*) FILTER (WHERE r.followup_satisfaction IN ('satisfied', 'basically_satisfied'))
            / nullif(count(r.followup_satisfaction), 0) AS satisfaction_rate,
        count(r.followup_satisfaction) AS rated
    FROM requests r JOIN compounds c USING (compound_id)
    WHERE r.compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND r.received_at >= $period_start::DATE AND r.received_at < $period_end::DATE
    GROUP BY c.community_id
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
