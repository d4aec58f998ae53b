-- rollup_requests_breakdown from requests (see schema.sql); run by rollups.rebuild after emptying the table.
-- Counted as requests_by_channel.sql and requests_by_category.sql count them: by compound, and for the whole
-- street (compound_id NULL). Kept in compound order, the street's rows last (a filter to a few compounds, or
-- to the street's rows, skips whole row groups).
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
WHERE compound_id IN (SELECT compound_id FROM compounds)  -- a snapshot's tables have no foreign key
GROUP BY GROUPING SETS (
    (compound_id, month, channel), (compound_id, month, category), (month, channel), (month, category)
)
ORDER BY compound_id NULLS LAST, month, channel, category
