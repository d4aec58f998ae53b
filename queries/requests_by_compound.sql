-- The three rates per compound for requests received in [$period_start, $period_end).
SELECT
    c.compound_id,
    c.name AS compound,
    m.name AS community,
    count(*) AS requests,
    count(*) FILTER (WHERE r.responded_at <= r.received_at + INTERVAL 24 HOUR) / count(*) AS response_rate,
    count(r.resolved_at) / count(*) AS resolution_rate,
    count(*) FILTER (WHERE r.satisfaction >= 4) / nullif(count(r.satisfaction), 0) AS satisfaction_rate,
    count(r.satisfaction) AS rated,
    count(*) FILTER (WHERE r.resolved_at IS NULL) AS open_requests
FROM requests r
JOIN compounds c USING (compound_id)
JOIN communities m USING (community_id)
WHERE r.compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
  AND r.received_at >= $period_start::DATE AND r.received_at < $period_end::DATE
GROUP BY ALL
ORDER BY resolution_rate, c.compound_id
