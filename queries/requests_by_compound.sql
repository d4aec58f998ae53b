-- The rates per compound for requests received in [$period_start, $period_end) (口径 as kpi_requests.sql).
-- ranked: enough 回访 answers ($min_rated) to enter a ranking.
SELECT
    c.compound_id,
    c.name AS compound,
    m.name AS community,
    count(*) AS requests,
    count(*) FILTER (WHERE r.responded_at <= r.received_at + INTERVAL 24 HOUR) / count(*) AS response_rate,
    count(r.resolved_at) / count(*) AS closure_rate,
    count(*) FILTER (WHERE r.followup_resolved = 'resolved') / nullif(count(r.followup_resolved), 0)
        AS resolution_rate,
    count(*) FILTER (WHERE r.followup_satisfaction IN ('satisfied', 'basically_satisfied'))
        / nullif(count(r.followup_satisfaction), 0) AS satisfaction_rate,
    count(r.followup_satisfaction) AS rated,
    count(r.followup_satisfaction) >= $min_rated AS ranked,
    count(*) FILTER (WHERE r.resolved_at IS NULL) AS open_requests
FROM requests r
JOIN compounds c USING (compound_id)
JOIN communities m USING (community_id)
WHERE r.compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
  AND r.received_at >= $period_start::DATE AND r.received_at < $period_end::DATE
GROUP BY ALL
ORDER BY closure_rate, c.compound_id
