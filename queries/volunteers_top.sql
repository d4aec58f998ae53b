-- The $limit volunteers of the compounds in $compound_ids with the most service hours in
-- [$period_start, $period_end): masked name only, and the points balance on $as_at.
WITH v AS (
    SELECT * FROM volunteers WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
),
period AS (
    SELECT volunteer_id, sum(hours) AS hours, sum(points) AS earned, count(*) AS services
    FROM services SEMI JOIN v USING (volunteer_id)
    WHERE served_on >= $period_start::DATE AND served_on < $period_end::DATE
    GROUP BY volunteer_id
),
top AS (
    SELECT * FROM period ORDER BY hours DESC, earned DESC, volunteer_id LIMIT $limit
),
earned AS (
    SELECT volunteer_id, sum(points) AS earned_to_date
    FROM services SEMI JOIN top USING (volunteer_id)
    WHERE served_on <= $as_at::DATE
    GROUP BY volunteer_id
),
spent AS (
    SELECT volunteer_id, sum(points_spent) AS spent_to_date
    FROM redemptions SEMI JOIN top USING (volunteer_id)
    WHERE redeemed_on <= $as_at::DATE
    GROUP BY volunteer_id
)
SELECT
    v.display_name, c.name AS compound, v.kind, t.services, t.hours, t.earned,
    coalesce(e.earned_to_date, 0) - coalesce(s.spent_to_date, 0) AS balance
FROM top t
JOIN v USING (volunteer_id)
JOIN compounds c ON c.compound_id = v.compound_id
LEFT JOIN earned e USING (volunteer_id)
LEFT JOIN spent s USING (volunteer_id)
ORDER BY t.hours DESC, t.earned DESC, t.volunteer_id
