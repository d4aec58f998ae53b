-- The rates per compound for requests received in [$period_start, $period_end) (口径 as kpi_requests.sql).
-- ranked: enough 回访 answers ($min_rated) to enter a ranking.
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
        sum(satisfied)::BIGINT AS satisfied,
        sum(unresolved)::BIGINT AS unresolved
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
        count(*) FILTER (WHERE followup_satisfaction IN ('satisfied', 'basically_satisfied')),
        count(*) FILTER (WHERE resolved_at IS NULL)
    FROM requests
    WHERE NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
               AND $period_end::DATE = date_trunc('month', $period_end::DATE))
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
    GROUP BY compound_id
)
SELECT
    c.compound_id,
    c.name AS compound,
    m.name AS community,
    n.requests,
    n.responded_24h / n.requests AS response_rate,
    n.resolved / n.requests AS closure_rate,
    n.followup_resolved / nullif(n.followup_answered, 0) AS resolution_rate,
    n.satisfied / nullif(n.rated, 0) AS satisfaction_rate,
    n.rated,
    n.rated >= $min_rated AS ranked,
    n.unresolved AS open_requests
FROM counts n
JOIN compounds c USING (compound_id)
JOIN communities m USING (community_id)
ORDER BY closure_rate, c.compound_id
