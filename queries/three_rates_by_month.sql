-- The rates for each month of [$period_start, $period_end), by month received (口径 as kpi_requests.sql).
-- Whole months read the roll-up (rollups.py); another period (the weekly report) the requests, the
-- same counts; the parameters alone choose, so the other branch is never run.
WITH counts AS (
    SELECT
        month,
        sum(requests)::BIGINT AS requests,
        sum(responded_24h)::BIGINT AS responded_24h,
        sum(followup_answered)::BIGINT AS followup_answered,
        sum(followup_resolved)::BIGINT AS followup_resolved,
        sum(rated)::BIGINT AS rated,
        sum(satisfied)::BIGINT AS satisfied
    FROM rollup_requests_monthly
    WHERE $period_start::DATE = date_trunc('month', $period_start::DATE)
      AND $period_end::DATE = date_trunc('month', $period_end::DATE)
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND month >= $period_start::DATE AND month < $period_end::DATE
    GROUP BY month
    HAVING sum(requests) > 0
    UNION ALL
    SELECT
        date_trunc('month', received_at)::DATE,
        count(*),
        count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR),
        count(followup_resolved),
        count(*) FILTER (WHERE followup_resolved = 'resolved'),
        count(followup_satisfaction),
        count(*) FILTER (WHERE followup_satisfaction IN ('satisfied', 'basically_satisfied'))
    FROM requests
    WHERE NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
               AND $period_end::DATE = date_trunc('month', $period_end::DATE))
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
    GROUP BY ALL
)
SELECT
    month,
    requests,
    responded_24h / requests AS response_rate,
    followup_resolved / nullif(followup_answered, 0) AS resolution_rate,
    satisfied / nullif(rated, 0) AS satisfaction_rate
FROM counts
ORDER BY month
