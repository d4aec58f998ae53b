-- Volunteer points for volunteers of the compounds in $compound_ids: the period's flows and
-- the balance outstanding on $as_at (earned minus redeemed; redeeming never reduces hours).
-- Whole months with $as_at a month's last day or $as_of (every page, the monthly report) read the
-- roll-ups (rollups.py); any other period (the weekly report) the events, the same figures; the
-- parameters alone choose, so the other branch is never run.
WITH v AS (
    SELECT volunteer_id FROM volunteers WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
),
scope AS (SELECT unnest($compound_ids::VARCHAR[]) AS compound_id),
served AS (
    SELECT * FROM rollup_services_monthly WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
),
redeemed AS (
    SELECT * FROM rollup_redemptions_monthly WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
),
fast AS (
    SELECT
        (SELECT count(*) FROM v) AS volunteers_registered,
        (SELECT count(*) FROM rollup_volunteer_months SEMI JOIN scope USING (compound_id)
          WHERE list_any_value(list_filter(months, lambda m: m >= $period_start::DATE AND m < $period_end::DATE))
                IS NOT NULL)
          AS active_volunteers,
        (SELECT coalesce(sum(hours), 0) FROM served
          WHERE month >= $period_start::DATE AND month < $period_end::DATE) AS volunteer_hours,
        (SELECT coalesce(sum(points), 0) FROM served
          WHERE month >= $period_start::DATE AND month < $period_end::DATE) AS points_earned,
        (SELECT coalesce(sum(points_spent), 0) FROM redeemed
          WHERE month >= $period_start::DATE AND month < $period_end::DATE) AS points_redeemed,
        -- Up to $as_at: whole months before its month, and its month whole or up to as_of.
        (SELECT coalesce(sum(CASE WHEN month < date_trunc('month', $as_at::DATE)
                                       OR $as_at::DATE = last_day($as_at::DATE) THEN points
                                  ELSE points_to_as_of END), 0)
           FROM served WHERE month <= $as_at::DATE)
          - (SELECT coalesce(sum(CASE WHEN month < date_trunc('month', $as_at::DATE)
                                           OR $as_at::DATE = last_day($as_at::DATE) THEN points_spent
                                      ELSE points_to_as_of END), 0)
               FROM redeemed WHERE month <= $as_at::DATE) AS points_outstanding
    WHERE $period_start::DATE = date_trunc('month', $period_start::DATE)
      AND $period_end::DATE = date_trunc('month', $period_end::DATE)
      AND ($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE)
),
-- The same figures from the events, for a period that is not whole months.
-- (The condition on each scan spares it when the roll-ups answer.)
s AS (
    SELECT s.* FROM services s SEMI JOIN v USING (volunteer_id)
    WHERE NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
                  AND $period_end::DATE = date_trunc('month', $period_end::DATE)
                  AND ($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE))
),
d AS (
    SELECT d.* FROM redemptions d SEMI JOIN v USING (volunteer_id)
    WHERE NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
                  AND $period_end::DATE = date_trunc('month', $period_end::DATE)
                  AND ($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE))
),
slow AS (
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
    WHERE NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
               AND $period_end::DATE = date_trunc('month', $period_end::DATE)
               AND ($as_at::DATE = last_day($as_at::DATE) OR $as_at::DATE = $as_of::DATE))
)
SELECT * FROM fast
UNION ALL
SELECT * FROM slow
