-- Resident requests received in [$period_start, $period_end), as 接诉即办 reports them.
-- 响应率: answered within 24 hours / received. 办结率: closed (resolved_at) / received.
-- 解决率 and 满意率 come from the follow-up call (回访) after closing: 解决率 = 已解决 / requests with a
-- 回访 answer on it; 满意率 = (满意 + 基本满意) / requests with a 回访 satisfaction answer.
-- 综合得分 = 100 * (w_response * 响应率 + w_resolution * 解决率 + w_satisfaction * 满意率), weights from settings.
-- 超期: closed after its 办理时限 (time_limit_days, else $default_time_limit_days), or still open past it on $as_at.
-- The median times are kpi_requests_times.sql (they need every request).
-- Whole months with $as_at a month's last day or $as_of (every page, the monthly report) read the
-- roll-ups (rollups.py); any other period (the weekly report) reads the requests themselves, the
-- same figures. The two branches below are chosen by the parameters alone, so the other is never run.
WITH rolled AS (
    SELECT * FROM rollup_requests_monthly
    WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
),
rates AS (
    SELECT
        coalesce(sum(requests), 0)::BIGINT AS requests_total,
        sum(responded_24h) / nullif(sum(requests), 0) AS response_rate,
        sum(resolved) / nullif(sum(requests), 0) AS closure_rate,
        sum(followup_resolved) / nullif(sum(followup_answered), 0) AS resolution_rate,
        sum(satisfied) / nullif(sum(rated), 0) AS satisfaction_rate,
        coalesce(sum(rated), 0)::BIGINT AS rated,
        coalesce(sum(late_closed_with_limit), 0) AS late_closed_with_limit
    FROM rolled
    WHERE month >= $period_start::DATE AND month < $period_end::DATE
),
-- Only the columns read below: DuckDB keeps a CTE read twice, and the list's text columns are wide.
open_rows AS (
    SELECT
        received_at, resolved_at, time_limit_days,
        received_at + to_days(coalesce(time_limit_days, $default_time_limit_days)::INTEGER) AS due_at
    FROM rollup_requests_open
    WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
),
fast AS (
    SELECT
        requests_total, response_rate, closure_rate, resolution_rate, satisfaction_rate, rated,
        -- Closed late against an own 办理时限 (rolled up), or, among the rows that can still be overdue,
        -- open past the limit on $as_at or (without an own limit) closed after the default one.
        (late_closed_with_limit + (
            SELECT count(*) FROM open_rows
            WHERE received_at >= $period_start::DATE AND received_at < $period_end::DATE
              AND CASE WHEN time_limit_days IS NULL
                       THEN resolved_at > due_at OR ((resolved_at IS NULL OR resolved_at >= $as_at::DATE + 1)
                                                     AND due_at < $as_at::DATE + 1)
                       ELSE resolved_at IS NULL AND due_at < $as_at::DATE + 1 END
        ))::BIGINT AS overdue_requests,
        -- Open on $as_at = received by then minus closed by then (a request is closed after receipt).
        (SELECT coalesce(sum(CASE
                    WHEN month < date_trunc('month', $as_at::DATE) OR $as_at::DATE = last_day($as_at::DATE)
                        THEN requests - resolved_in_month
                    ELSE received_to_as_of - resolved_to_as_of END), 0)::BIGINT
           FROM rolled WHERE month <= $as_at::DATE) AS open_backlog,
        (SELECT count(*) FROM open_rows
          WHERE received_at < $as_at::DATE - 30
            AND (resolved_at IS NULL OR resolved_at >= $as_at::DATE + 1)) AS open_over_30_days
    FROM rates
    WHERE $period_start::DATE = date_trunc('month', $period_start::DATE)
      AND $period_end::DATE = date_trunc('month', $period_end::DATE)
      AND ($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE)
),
-- The same figures from the requests, for a period that is not whole months.
r AS (
    SELECT *, received_at + to_days(coalesce(time_limit_days, $default_time_limit_days)::INTEGER) AS due_at
    FROM requests
    WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
      AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
),
slow AS (
    SELECT
        count(*) AS requests_total,
        count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR) / nullif(count(*), 0) AS response_rate,
        count(resolved_at) / nullif(count(*), 0) AS closure_rate,
        count(*) FILTER (WHERE followup_resolved = 'resolved') / nullif(count(followup_resolved), 0)
            AS resolution_rate,
        count(*) FILTER (WHERE followup_satisfaction IN ('satisfied', 'basically_satisfied'))
            / nullif(count(followup_satisfaction), 0) AS satisfaction_rate,
        count(followup_satisfaction) AS rated,
        count(*) FILTER (
            WHERE resolved_at > due_at
               OR ((resolved_at IS NULL OR resolved_at >= $as_at::DATE + 1) AND due_at < $as_at::DATE + 1)
        ) AS overdue_requests,
        (SELECT count(*) FROM requests
          WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
            AND received_at < $as_at::DATE + 1
            AND (resolved_at IS NULL OR resolved_at >= $as_at::DATE + 1)) AS open_backlog,
        (SELECT count(*) FROM requests
          WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
            AND received_at < $as_at::DATE - 30
            AND (resolved_at IS NULL OR resolved_at >= $as_at::DATE + 1)) AS open_over_30_days
    FROM r
    -- WHERE spares the scan, HAVING the one row an aggregate of no rows still gives.
    WHERE NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
               AND $period_end::DATE = date_trunc('month', $period_end::DATE)
               AND ($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE))
    HAVING NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
                AND $period_end::DATE = date_trunc('month', $period_end::DATE)
                AND ($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE))
),
figures AS (
    SELECT * FROM fast
    UNION ALL
    SELECT * FROM slow
)
SELECT
    requests_total, response_rate, closure_rate, resolution_rate, satisfaction_rate, rated,
    overdue_requests,
    100 * ($w_response * response_rate + $w_resolution * resolution_rate + $w_satisfaction * satisfaction_rate)
        AS composite_score,
    open_backlog,
    open_over_30_days
FROM figures
