-- rollup_requests_recent_open from requests (see schema.sql); run by rollups.rebuild after emptying the table.
-- A request received at most 30 days before a day can be open on it only if that day is the last day of
-- the month received or of the next month, or meta.as_of: those (distinct) days are its candidates.
INSERT INTO rollup_requests_recent_open BY NAME
WITH as_of AS (SELECT max(value::DATE) AS day FROM meta WHERE key = 'as_of'),
candidates AS (
    SELECT
        unnest(list_distinct([
            last_day(received_at::DATE),
            last_day((received_at + INTERVAL 1 MONTH)::DATE),
            (SELECT day FROM as_of)
        ])) AS as_at,
        compound_id,
        received_at,
        resolved_at
    FROM requests
)
SELECT as_at, compound_id, date_diff('day', received_at::DATE, as_at) AS age_days, count(*) AS requests
FROM candidates
WHERE as_at IS NOT NULL
  AND received_at >= as_at - 30 AND received_at < as_at + 1
  AND (resolved_at IS NULL OR resolved_at >= as_at + 1)
GROUP BY ALL
ORDER BY as_at, compound_id, age_days
