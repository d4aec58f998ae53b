-- volunteer_flows(period_start, period_end, compound_ids): what the volunteers of the compounds did in
-- [period_start, period_end), by compound and month, in rows to be summed (a compound's services and its
-- redemptions come in rows of their own): services, volunteers who served (distinct in the compound and
-- month: a volunteer belongs to one compound, so these add up over compounds, not over months), hours
-- and points earned, redemptions and points spent.
-- Whole months read the roll-ups (rollups.py); any other period (the weekly report) the services and
-- redemptions themselves, the same figures; the parameters alone choose, so the other branch is never run.
-- A table macro stored with the roll-ups by rollups.rebuild.
CREATE OR REPLACE MACRO volunteer_flows(period_start, period_end, compound_ids) AS TABLE
WITH v AS (
    SELECT volunteer_id, compound_id FROM volunteers
    WHERE NOT (period_start::DATE = date_trunc('month', period_start::DATE)
               AND period_end::DATE = date_trunc('month', period_end::DATE))
      AND compound_id IN (SELECT unnest(compound_ids::VARCHAR[]))
)
SELECT *
FROM (
    SELECT compound_id, month, services, volunteers, hours, points AS earned,
           0 AS redemptions, 0.0::DOUBLE AS redeemed
    FROM rollup_services_monthly
    UNION ALL
    SELECT compound_id, month, 0, 0, 0.0, 0.0, redemptions, points_spent
    FROM rollup_redemptions_monthly
)
WHERE period_start::DATE = date_trunc('month', period_start::DATE)
  AND period_end::DATE = date_trunc('month', period_end::DATE)
  AND compound_id IN (SELECT unnest(compound_ids::VARCHAR[]))
  AND month >= period_start::DATE AND month < period_end::DATE
UNION ALL
SELECT v.compound_id, date_trunc('month', s.served_on)::DATE, count(*), count(DISTINCT s.volunteer_id),
       sum(s.hours), sum(s.points), 0, 0.0
FROM services s JOIN v USING (volunteer_id)
WHERE s.served_on >= period_start::DATE AND s.served_on < period_end::DATE
GROUP BY ALL
UNION ALL
SELECT v.compound_id, date_trunc('month', d.redeemed_on)::DATE, 0, 0, 0.0, 0.0, count(*), sum(d.points_spent)
FROM redemptions d JOIN v USING (volunteer_id)
WHERE d.redeemed_on >= period_start::DATE AND d.redeemed_on < period_end::DATE
GROUP BY ALL
