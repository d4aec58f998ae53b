-- Volunteer points for volunteers of the compounds in $compound_ids: the period's flows and
-- the balance outstanding on $as_at (earned minus redeemed; redeeming never reduces hours).
WITH v AS (
    SELECT volunteer_id FROM volunteers WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
),
s AS (SELECT s.* FROM services s SEMI JOIN v USING (volunteer_id)),
d AS (SELECT d.* FROM redemptions d SEMI JOIN v USING (volunteer_id))
SELECT
    (SELECT count(*) FROM v) AS volunteers_registered,
    (SELECT count(DISTINCT volunteer_id) FROM s
      WHERE served_on >= $period_start::DATE AND served_on < $period_end::DATE) AS active_volunteers,
    (SELECT coalesce(sum(hours), 0) FROM s
      WHERE served_on >= $period_start::DATE AND served_on < $period_end::DATE) AS volunteer_hours,
    (SELECT coalesce(sum(points), 0) FROM s
      WHERE served_on >= $period_start::DATE AND served_on < $period_end::DATE) AS points_earned,
    (SELECT coalesce(sum(points_spent), 0) FROM d
      WHERE redeemed_on >= $period_start::DATE AND redeemed_on < $period_end::DATE) AS points_redeemed,
    (SELECT coalesce(sum(points), 0) FROM s WHERE served_on <= $as_at::DATE)
      - (SELECT coalesce(sum(points_spent), 0) FROM d WHERE redeemed_on <= $as_at::DATE) AS points_outstanding
