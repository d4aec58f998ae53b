-- The communities of the compounds in $compound_ids ranked by 综合得分 of the requests received in
-- [$period_start, $period_end) (口径 as kpi_requests.sql); ranked only with at least $min_rated 回访 answers.
-- Whole months read the roll-up (rollups.py); another period (the weekly report) the requests, the
-- same counts; the parameters alone choose, so the other branch is never run.
WITH counts AS (
    SELECT
        compound_id,
        sum(requests)::BIGINT AS requests,
        sum(responded_24h)::BIGINT AS responded_24h,
        sum(resolved)::BIGINT AS resolved,
        sum(followup_answered)::BIGINT AS followup_answered,
        sum(followup_resolved)::BIGINT AS followup_resolved,
        sum(rated)::BIGINT AS rated,
        sum(satisfied)::BIGINT AS satisfied
    FROM rollup_requests_monthly
    WHERE $period_start::DATE = date_trunc('month', $period_start::DATE)
      AND $period_end::DATE = date_trunc('month', $period_end::DATE)
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND month >= $period_start::DATE AND month < $period_end::DATE
    GROUP BY compound_id
    HAVING sum(requests) > 0
    UNION ALL
    SELECT
        compound_id,
        count(*),
        count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR),
        count(resolved_at),
        count(followup_resolved),
        count(*) FILTER (WHERE followup_resolved = 'resolved'),
        count(followup_satisfaction),
        count(*) FILTER (WHERE followup_satisfaction IN ('satisfied', 'basically_satisfied'))
    FROM requests
    WHERE NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
               AND $period_end::DATE = date_trunc('month', $period_end::DATE))
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
    GROUP BY compound_id
),
rq AS (
    SELECT
        c.community_id,
        sum(n.requests)::BIGINT AS requests,
        sum(n.responded_24h) / sum(n.requests) AS response_rate,
        sum(n.resolved) / sum(n.requests) AS closure_rate,
        sum(n.followup_resolved) / nullif(sum(n.followup_answered), 0) AS resolution_rate,
        sum(n.satisfied) / nullif(sum(n.rated), 0) AS satisfaction_rate,
        sum(n.rated)::BIGINT AS rated
    FROM counts n JOIN compounds c USING (compound_id)
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
