-- Resident requests received in [$period_start, $period_end), as 接诉即办 reports them.
-- 响应率: answered within 24 hours / received. 办结率: closed (resolved_at) / received.
-- 解决率 and 满意率 come from the follow-up call (回访) after closing: 解决率 = 已解决 / requests with a
-- 回访 answer on it; 满意率 = (满意 + 基本满意) / requests with a 回访 satisfaction answer.
-- 综合得分 = 100 * (w_response * 响应率 + w_resolution * 解决率 + w_satisfaction * 满意率), weights from settings.
-- 超期: closed after its 办理时限 (time_limit_days, else $default_time_limit_days), or still open past it on $as_at.
WITH r AS (
    SELECT *, received_at + to_days(coalesce(time_limit_days, $default_time_limit_days)::INTEGER) AS due_at
    FROM requests
    WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
),
rates AS (
    SELECT
        count(*) AS requests_total,
        count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR) / nullif(count(*), 0) AS response_rate,
        count(resolved_at) / nullif(count(*), 0) AS closure_rate,
        count(*) FILTER (WHERE followup_resolved = 'resolved') / nullif(count(followup_resolved), 0)
            AS resolution_rate,
        count(*) FILTER (WHERE followup_satisfaction IN ('satisfied', 'basically_satisfied'))
            / nullif(count(followup_satisfaction), 0) AS satisfaction_rate,
        count(followup_satisfaction) AS rated,
        median(epoch(responded_at - received_at) / 3600) AS median_response_hours,
        median(epoch(resolved_at - received_at) / 86400) AS median_handling_days,
        count(*) FILTER (
            WHERE resolved_at > due_at
               OR ((resolved_at IS NULL OR resolved_at >= $as_at::DATE + 1) AND due_at < $as_at::DATE + 1)
        ) AS overdue_requests
    FROM r
)
SELECT
    *,
    100 * ($w_response * response_rate + $w_resolution * resolution_rate + $w_satisfaction * satisfaction_rate)
        AS composite_score,
    (SELECT count(*) FROM requests
      WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
        AND received_at < $as_at::DATE + 1
        AND (resolved_at IS NULL OR resolved_at >= $as_at::DATE + 1)) AS open_backlog,
    (SELECT count(*) FROM requests
      WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
        AND received_at < $as_at::DATE - 30
        AND (resolved_at IS NULL OR resolved_at >= $as_at::DATE + 1)) AS open_over_30_days
FROM rates
