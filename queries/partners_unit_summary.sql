-- Each partner unit that joined a community of the compounds in $compound_ids or gave to one of them:
-- its facts, what it gave those compounds in [$period_start, $period_end), and everything up to $as_of.
WITH k AS (
    SELECT * FROM contributions
    WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[])) AND contributed_on <= $as_of::DATE
),
given AS (
    SELECT
        unit_id,
        coalesce(sum(value_yuan) FILTER (WHERE contributed_on >= $period_start::DATE
                                           AND contributed_on < $period_end::DATE), 0) AS value_yuan,
        coalesce(sum(volunteer_hours) FILTER (WHERE contributed_on >= $period_start::DATE
                                                AND contributed_on < $period_end::DATE), 0) AS volunteer_hours,
        count(*) FILTER (WHERE contributed_on >= $period_start::DATE AND contributed_on < $period_end::DATE)
            AS contributions,
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
    coalesce(g.value_yuan, 0) AS value_yuan,
    coalesce(g.volunteer_hours, 0) AS volunteer_hours,
    coalesce(g.contributions, 0) AS contributions,
    coalesce(g.value_to_date, 0) AS value_to_date,
    coalesce(g.hours_to_date, 0) AS hours_to_date,
    coalesce(g.contributions_to_date, 0) AS contributions_to_date,
    coalesce(g.households_to_date, 0) AS households_to_date,
    coalesce(g.compounds_served, 0) AS compounds_served
FROM partner_units u
JOIN communities m USING (community_id)
LEFT JOIN given g USING (unit_id)
WHERE g.unit_id IS NOT NULL
   OR u.community_id IN (
        SELECT community_id FROM compounds WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
   )
ORDER BY value_to_date DESC, u.unit_id
