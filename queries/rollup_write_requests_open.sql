-- rollup_requests_open from requests (see schema.sql): a request open beyond 30 days on some day, or
-- overdue on some day, is in here, so 超期 and 超30天未办结 (figures and list) read these rows only. Kept in compound order (a filter skips whole row groups).
INSERT INTO rollup_requests_open BY NAME
SELECT request_id, compound_id, received_at, resolved_at, time_limit_days, channel, category, summary, handler
FROM requests
WHERE resolved_at IS NULL OR time_limit_days IS NULL OR resolved_at > received_at + INTERVAL 30 DAY
ORDER BY compound_id, received_at
