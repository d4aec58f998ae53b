-- rollup_requests_breakdown from requests (see schema.sql); run by rollups.rebuild after emptying the table.
-- Counted as requests_by_channel.sql and requests_by_category.sql count them. Kept in compound order (a
-- filter to a few compounds skips whole row groups).
INSERT INTO rollup_requests_breakdown BY NAME
SELECT
    compound_id,
    date_trunc('month', received_at)::DATE AS month,
    channel,
    category,
    count(*) AS requests,
    count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR) AS responded_24h,
    count(resolved_at) AS resolved
FROM requests
GROUP BY GROUPING SETS ((compound_id, month, channel), (compound_id, month, category))
ORDER BY compound_id, month, channel, category
