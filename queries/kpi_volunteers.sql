-- Volunteer points for volunteers of the compounds in $compound_ids: the period's flows
-- (volunteer_flows) and the balance outstanding on $as_at (points_balance: earned minus redeemed;
-- redeeming never reduces hours). Both macros (queries/rollup_define_*.sql) read the roll-ups for whole
-- months and the events otherwise. Active volunteers are distinct people over the period's months: from
-- each volunteer's months (rollup_volunteer_months) for whole months, else from the services.
WITH v AS (
    SELECT volunteer_id FROM volunteers WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
),
flows AS (
    SELECT * FROM volunteer_flows($period_start, $period_end, scope($compound_ids))
),
balance AS (
    SELECT * FROM points_balance($as_at, $as_of, scope($compound_ids))
),
active AS (
    SELECT count(*) AS n FROM rollup_volunteer_months
    WHERE $period_start::DATE = date_trunc('month', $period_start::DATE)
      AND $period_end::DATE = date_trunc('month', $period_end::DATE)
      AND compound_id IN (SELECT unnest(scope($compound_ids)))
      AND list_any_value(list_filter(months, lambda m: m >= $period_start::DATE AND m < $period_end::DATE))
          IS NOT NULL
    UNION ALL
    SELECT count(DISTINCT volunteer_id) FROM services SEMI JOIN v USING (volunteer_id)
    WHERE NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
               AND $period_end::DATE = date_trunc('month', $period_end::DATE))
      AND served_on >= $period_start::DATE AND served_on < $period_end::DATE
)
SELECT
    (SELECT count(*) FROM v) AS volunteers_registered,
    (SELECT sum(n) FROM active)::BIGINT AS active_volunteers,
    (SELECT coalesce(sum(hours), 0) FROM flows) AS volunteer_hours,
    (SELECT coalesce(sum(earned), 0) FROM flows) AS points_earned,
    (SELECT coalesce(sum(redeemed), 0) FROM flows) AS points_redeemed,
    (SELECT coalesce(sum(earned), 0) - coalesce(sum(redeemed), 0) FROM balance) AS points_outstanding
