-- rollup_requests_newest from requests (see schema.sql); run by rollups.rebuild after emptying the table.
-- Each month's 1,000th newest time (max(x, n): the n largest, without sorting the month), then every request
-- of the month received at or after it (ties at that time included: at least 1,000, never fewer). Only the
-- street's compounds: a snapshot's tables have no foreign key, and a request of no known compound is listed nowhere.
INSERT INTO rollup_requests_newest BY NAME
WITH cut AS (
    SELECT date_trunc('month', received_at)::DATE AS month, list_min(max(received_at, 1000)) AS since
    FROM requests
    WHERE compound_id IN (SELECT compound_id FROM compounds)
    GROUP BY ALL
)
SELECT
    c.month, r.request_id, r.compound_id, r.received_at, r.channel, r.category, r.summary, r.handler,
    r.responded_at, r.resolved_at, r.time_limit_days, r.followup_resolved, r.followup_satisfaction
FROM requests r
JOIN cut c ON date_trunc('month', r.received_at)::DATE = c.month
WHERE r.received_at >= c.since AND r.compound_id IN (SELECT compound_id FROM compounds)
ORDER BY r.received_at DESC, r.request_id
