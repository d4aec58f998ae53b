-- The three rates (三率) and backlog for requests received in [$period_start, $period_end).
-- Response: answered within 24 hours. Resolution: resolved. Satisfaction: rated 4 or 5 of those rated.
WITH r AS (
    SELECT * FROM requests
    WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
)
SELECT
    count(*) AS requests_total,
    count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR) / nullif(count(*), 0) AS response_rate,
    count(resolved_at) / nullif(count(*), 0) AS resolution_rate,
    count(*) FILTER (WHERE satisfaction >= 4) / nullif(count(satisfaction), 0) AS satisfaction_rate,
    median(epoch(responded_at - received_at) / 3600) AS median_response_hours,
    median(epoch(resolved_at - received_at) / 3600) AS median_resolution_hours,
    (SELECT count(*) FROM requests
      WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
        AND received_at < $as_at::DATE + 1
        AND (resolved_at IS NULL OR resolved_at >= $as_at::DATE + 1)) AS open_backlog,
    (SELECT count(*) FROM requests
      WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
        AND received_at < $as_at::DATE - 30
        AND (resolved_at IS NULL OR resolved_at >= $as_at::DATE + 1)) AS open_over_30_days
FROM r
