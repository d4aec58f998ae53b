-- points_balance(as_at, as_of, compound_ids): the points the volunteers of each compound earned and
-- spent up to as_at (积分余额 = earned - redeemed; redeeming never reduces hours), one row per compound
-- with any. With as_at a month's last day or as_of (every page, the monthly report) from the roll-ups:
-- whole months before as_at's month, and its month whole or up to as_of; any other day from the
-- services and redemptions. A table macro stored with the roll-ups by rollups.rebuild: the one rule for
-- every balance shown.
CREATE OR REPLACE MACRO points_balance(as_at, as_of, compound_ids) AS TABLE
WITH flows AS (
    SELECT compound_id, month, 'earned' AS flow, points AS whole_month, points_to_as_of FROM rollup_services_monthly
    UNION ALL
    SELECT compound_id, month, 'redeemed', points_spent, points_to_as_of FROM rollup_redemptions_monthly
),
events AS (
    SELECT volunteer_id, served_on AS day, 'earned' AS flow, points FROM services
    UNION ALL
    SELECT volunteer_id, redeemed_on, 'redeemed', points_spent FROM redemptions
),
points AS (
    SELECT
        compound_id,
        flow,
        CASE WHEN month < date_trunc('month', as_at::DATE) OR as_at::DATE = last_day(as_at::DATE) THEN whole_month
             ELSE points_to_as_of END AS points
    FROM flows
    WHERE (as_at::DATE = last_day(as_at::DATE) OR as_at::DATE = as_of::DATE)
      AND compound_id IN (SELECT unnest(compound_ids::VARCHAR[])) AND month <= as_at::DATE
    UNION ALL
    SELECT v.compound_id, e.flow, e.points
    FROM events e JOIN volunteers v USING (volunteer_id)
    WHERE NOT (as_at::DATE = last_day(as_at::DATE) OR as_at::DATE = as_of::DATE)
      AND v.compound_id IN (SELECT unnest(compound_ids::VARCHAR[])) AND e.day <= as_at::DATE
)
SELECT
    compound_id,
    sum(points) FILTER (WHERE flow = 'earned') AS earned,
    sum(points) FILTER (WHERE flow = 'redeemed') AS redeemed
FROM points
GROUP BY compound_id
