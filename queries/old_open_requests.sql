-- Requests still open on $as_at that were received more than 30 days before it. Such a request was
-- open over 30 days, so it is in the roll-up rollup_requests_open (rollups.py), read instead of every request.
SELECT
    r.request_id, c.name AS compound, r.received_at, r.channel, r.category, r.summary, r.handler,
    date_diff('day', r.received_at::DATE, $as_at::DATE) AS age_days
FROM rollup_requests_open r JOIN compounds c USING (compound_id)
WHERE r.compound_id IN (SELECT unnest(scope($compound_ids)))
  AND (r.resolved_at IS NULL OR r.resolved_at >= $as_at::DATE + 1)
  AND r.received_at < $as_at::DATE - 30
ORDER BY r.received_at, r.request_id
LIMIT $limit
