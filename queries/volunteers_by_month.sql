-- Volunteer activity of the compounds in $compound_ids for each month of [$period_start, $period_end):
-- service hours and points earned (services), points redeemed and redemptions (redemptions), from
-- volunteer_flows (queries/rollup_define_volunteer_flows.sql). A volunteer belongs to one compound, so
-- the month's distinct volunteers add up over compounds.
SELECT
    month,
    sum(services)::BIGINT AS services,
    sum(volunteers)::BIGINT AS volunteers,
    sum(hours) AS hours,
    sum(earned) AS earned,
    sum(redemptions)::BIGINT AS redemptions,
    sum(redeemed) AS redeemed
FROM volunteer_flows($period_start, $period_end, scope($compound_ids))
GROUP BY month
ORDER BY month
