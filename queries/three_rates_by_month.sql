-- The rates for each month of [$period_start, $period_end), by month received (口径 as kpi_requests.sql).
SELECT
    date_trunc('month', received_at)::DATE AS month,
    count(*) AS requests,
    count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR) / count(*) AS response_rate,
    count(*) FILTER (WHERE followup_resolved = 'resolved') / nullif(count(followup_resolved), 0) AS resolution_rate,
    count(*) FILTER (WHERE followup_satisfaction IN ('satisfied', 'basically_satisfied'))
        / nullif(count(followup_satisfaction), 0) AS satisfaction_rate
FROM requests
WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
  AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
GROUP BY ALL
ORDER BY month
