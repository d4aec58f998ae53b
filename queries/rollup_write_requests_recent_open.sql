-- rollup_requests_recent_open from requests (see schema.sql); run by rollups.rebuild after emptying the table.
-- A request received at most 30 days before a day can be open on it only if that day is the last day of
-- the month received or of the next month, or meta.as_of: each of the three is counted where the request
-- is open on it (as_of only where it is neither of the other two).
INSERT INTO rollup_requests_recent_open BY NAME
WITH as_of AS (SELECT max(value::DATE) AS day FROM meta WHERE key = 'as_of'),
open_on AS (
    SELECT last_day(received_at::DATE) AS as_at, compound_id, received_at
    FROM requests
    WHERE resolved_at IS NULL OR resolved_at >= last_day(received_at::DATE) + 1
    UNION ALL
    SELECT last_day((received_at + INTERVAL 1 MONTH)::DATE), compound_id, received_at
    FROM requests
    WHERE received_at >= last_day((received_at + INTERVAL 1 MONTH)::DATE) - 30
      AND (resolved_at IS NULL OR resolved_at >= last_day((received_at + INTERVAL 1 MONTH)::DATE) + 1)
    UNION ALL
    SELECT (SELECT day FROM as_of), compound_id, received_at
    FROM requests
    WHERE received_at >= (SELECT day FROM as_of) - 30 AND received_at < (SELECT day FROM as_of) + 1
      AND (resolved_at IS NULL OR resolved_at >= (SELECT day FROM as_of) + 1)
      AND (SELECT day FROM as_of) NOT IN (last_day(received_at::DATE), last_day((received_at + INTERVAL 1 MONTH)::DATE))
)
SELECT as_at, compound_id, date_diff('day', received_at::DATE, as_at) AS age_days, count(*) AS requests
FROM open_on
GROUP BY ALL
ORDER BY as_at, compound_id, age_days
