-- The requests received in [$period_start, $period_end), newest first; at most $limit rows
-- (NULL: every row, for the download).
SELECT
    r.request_id, c.name AS compound, r.received_at, r.channel, r.category, r.summary, r.handler,
    r.responded_at, r.resolved_at, r.satisfaction
FROM requests r JOIN compounds c USING (compound_id)
WHERE r.compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
  AND r.received_at >= $period_start::DATE AND r.received_at < $period_end::DATE
ORDER BY r.received_at DESC, r.request_id
LIMIT $limit
