-- Volunteer activity of the compounds in $compound_ids for each month of [$period_start, $period_end):
-- service hours and points earned (services), points redeemed and redemptions (redemptions).
-- Whole months read the roll-ups (rollups.py: a volunteer belongs to one compound, so the month's
-- distinct volunteers add up over compounds); another period (the weekly report) the events, the
-- same figures; the parameters alone choose, so the other branch is never run.
WITH v AS (
    SELECT volunteer_id FROM volunteers
    WHERE NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
               AND $period_end::DATE = date_trunc('month', $period_end::DATE))
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
),
earned AS (
    SELECT month, sum(services)::BIGINT AS services, sum(volunteers)::BIGINT AS volunteers, sum(hours) AS hours,
           sum(points) AS earned
    FROM rollup_services_monthly
    WHERE $period_start::DATE = date_trunc('month', $period_start::DATE)
      AND $period_end::DATE = date_trunc('month', $period_end::DATE)
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND month >= $period_start::DATE AND month < $period_end::DATE
    GROUP BY month
    UNION ALL
    SELECT
        date_trunc('month', served_on)::DATE AS month,
        count(*) AS services,
        count(DISTINCT volunteer_id) AS volunteers,
        sum(hours) AS hours,
        sum(points) AS earned
    FROM services SEMI JOIN v USING (volunteer_id)
    WHERE served_on >= $period_start::DATE AND served_on < $period_end::DATE
    GROUP BY ALL
),
spent AS (
    SELECT month, sum(redemptions)::BIGINT AS redemptions, sum(points_spent) AS redeemed
    FROM rollup_redemptions_monthly
    WHERE $period_start::DATE = date_trunc('month', $period_start::DATE)
      AND $period_end::DATE = date_trunc('month', $period_end::DATE)
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND month >= $period_start::DATE AND month < $period_end::DATE
    GROUP BY month
    UNION ALL
    SELECT date_trunc('month', redeemed_on)::DATE AS month, count(*) AS redemptions, sum(points_spent) AS redeemed
    FROM redemptions SEMI JOIN v USING (volunteer_id)
    WHERE redeemed_on >= $period_start::DATE AND redeemed_on < $period_end::DATE
    GROUP BY ALL
)
SELECT
    month,
    coalesce(e.services, 0) AS services,
    coalesce(e.volunteers, 0) AS volunteers,
    coalesce(e.hours, 0) AS hours,
    coalesce(e.earned, 0) AS earned,
    coalesce(s.redemptions, 0) AS redemptions,
    coalesce(s.redeemed, 0) AS redeemed
FROM earned e
FULL JOIN spent s USING (month)
ORDER BY month
