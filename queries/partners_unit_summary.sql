-- Each partner unit that joined a community of the compounds in $compound_ids or gave to one of them:
-- its facts, what it gave those compounds in [$period_start, $period_end), and everything up to $as_of.
WITH k AS (
    SELECT *, contributed_on >= $period_start::DATE AND contributed_on < $period_end::DATE AS in_period
    FROM contributions
    WHERE compound_id IN (SELECT unnest(scope($compound_ids))) AND contributed_on <= $as_of::DATE
),
given AS (
    SELECT
        unit_id,
        sum(value_yuan) FILTER (WHERE in_period) AS value_yuan,
        sum(volunteer_hours) FILTER (WHERE in_period) AS volunteer_hours,
        count(*) FILTER (WHERE in_period) AS contributions,
        sum(value_yuan) AS value_to_date,
        sum(volunteer_hours) AS hours_to_date,
        count(*) AS contributions_to_date,
        sum(households_benefited) AS households_to_date,
        count(DISTINCT compound_id) AS compounds_served
    FROM k
    GROUP BY unit_id
)
SELECT
    u.unit_id, u.name AS unit, u.kind, m.name AS community, u.joined_on,
    -- Every figure of given, in its order; 0 where the unit gave nothing (in the period, or at all).
    coalesce(COLUMNS(g.* EXCLUDE (unit_id)), 0)
FROM partner_units u
JOIN communities m USING (community_id)
LEFT JOIN given g USING (unit_id)
WHERE g.unit_id IS NOT NULL
   OR u.community_id IN (
        SELECT community_id FROM compounds WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
   )
ORDER BY value_to_date DESC, u.unit_id
