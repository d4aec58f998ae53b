-- The rates for each month of [$period_start, $period_end), by month received (口径 as kpi_requests.sql).
-- The rates come from request_rates (queries/rollup_define_request_rates.sql).
SELECT month, requests, response_rate, resolution_rate, satisfaction_rate
FROM request_rates($period_start, $period_end, scope($compound_ids), 'month')
ORDER BY month
