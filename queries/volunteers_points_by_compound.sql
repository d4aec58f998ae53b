-- Points outstanding on $as_at per compound in $compound_ids (earned minus redeemed, both up to
-- $as_at: points_balance, queries/rollup_define_points_balance.sql, as points_outstanding in
-- kpi_volunteers.sql), most outstanding first.
WITH registered AS (
    SELECT compound_id, count(*) AS volunteers FROM volunteers
    WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
    GROUP BY ALL
)
SELECT
    c.compound_id,
    c.name AS compound,
    coalesce(b.earned, 0) - coalesce(b.redeemed, 0) AS balance,
    coalesce(b.earned, 0) AS earned,
    coalesce(b.redeemed, 0) AS redeemed,
    r.volunteers,
    m.name AS community
FROM registered r
JOIN compounds c USING (compound_id)
JOIN communities m USING (community_id)
JOIN points_balance($as_at, $as_of, scope($compound_ids)) b USING (compound_id)
WHERE b.earned IS NOT NULL OR b.redeemed IS NOT NULL
ORDER BY balance DESC, c.compound_id
