-- rollup_request_times from requests (see schema.sql); run by rollups.rebuild after emptying the table.
-- The times are kpi_requests_times.sql's own expressions, so the median of them is that query's to the bit.
-- A bucket is a function of the time that never falls as the time rises (floor of a multiple), so every
-- time in a lower bucket is at most every time in a higher one. Only the street's compounds: a snapshot's
-- tables have no foreign key, and a request of no known compound counts in no figure.
INSERT INTO rollup_request_times BY NAME
WITH times AS (
    SELECT
        date_trunc('month', received_at)::DATE AS month,
        'response' AS measure,
        epoch(responded_at - received_at) / 3600 AS t,
        floor(t * 60)::BIGINT AS bucket
    FROM requests
    WHERE responded_at IS NOT NULL AND compound_id IN (SELECT compound_id FROM compounds)
    UNION ALL
    SELECT
        date_trunc('month', received_at)::DATE,
        'handling',
        epoch(resolved_at - received_at) / 86400 AS t,
        floor(t * 24)::BIGINT
    FROM requests
    WHERE resolved_at IS NOT NULL AND compound_id IN (SELECT compound_id FROM compounds)
)
SELECT month, measure, bucket, count(*) AS requests, list(t) AS times
FROM times
GROUP BY ALL
ORDER BY month, measure, bucket
