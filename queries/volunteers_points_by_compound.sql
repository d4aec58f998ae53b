-- Points outstanding on $as_at per compound in $compound_ids (earned minus redeemed, both up to
-- $as_at: the same rule as points_outstanding in kpi_volunteers.sql), most outstanding first.
-- With $as_at a month's last day or $as_of (every page) from the roll-ups (rollups.py), else from the events.
WITH v AS (
    SELECT volunteer_id, compound_id FROM volunteers WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
),
earned AS (
    SELECT compound_id, sum(CASE WHEN month < date_trunc('month', $as_at::DATE)
                                      OR $as_at::DATE = last_day($as_at::DATE) THEN points
                                 ELSE points_to_as_of END) AS earned
    FROM rollup_services_monthly
    WHERE ($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE)
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[])) AND month <= $as_at::DATE
    GROUP BY ALL
    UNION ALL
    SELECT v.compound_id, sum(s.points) AS earned
    FROM services s JOIN v USING (volunteer_id)
    WHERE NOT ($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE) AND s.served_on <= $as_at::DATE
    GROUP BY ALL
),
spent AS (
    SELECT compound_id, sum(CASE WHEN month < date_trunc('month', $as_at::DATE)
                                      OR $as_at::DATE = last_day($as_at::DATE) THEN points_spent
                                 ELSE points_to_as_of END) AS redeemed
    FROM rollup_redemptions_monthly
    WHERE ($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE)
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[])) AND month <= $as_at::DATE
    GROUP BY ALL
    UNION ALL
    SELECT v.compound_id, sum(d.points_spent) AS redeemed
    FROM redemptions d JOIN v USING (volunteer_id)
    WHERE NOT ($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE) AND d.redeemed_on <= $as_at::DATE
    GROUP BY ALL
),
registered AS (
    SELECT compound_id, count(*) AS volunteers FROM v GROUP BY ALL
)
SELECT
    c.compound_id,
    c.name AS compound,
    coalesce(e.earned, 0) - coalesce(s.redeemed, 0) AS balance,
    coalesce(e.earned, 0) AS earned,
    coalesce(s.redeemed, 0) AS redeemed,
    r.volunteers,
    m.name AS community
FROM registered r
JOIN compounds c USING (compound_id)
JOIN communities m USING (community_id)
LEFT JOIN earned e USING (compound_id)
LEFT JOIN spent s USING (compound_id)
WHERE e.earned IS NOT NULL OR s.redeemed IS NOT NULL
ORDER BY balance DESC, c.compound_id
