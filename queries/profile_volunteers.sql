-- The volunteers of the compounds in $compound_ids (masked names only): hours and points served in
-- [$period_start, $period_end), and their points balance on $as_at (earned minus redeemed, never below zero).
WITH v AS (
    SELECT v.*, c.name AS compound
    FROM volunteers v JOIN compounds c USING (compound_id)
    WHERE v.compound_id IN (SELECT unnest(scope($compound_ids)))
),
served AS (
    SELECT
        s.volunteer_id,
        count(*) FILTER (WHERE s.served_on >= $period_start::DATE AND s.served_on < $period_end::DATE) AS services,
        coalesce(sum(s.hours) FILTER (WHERE s.served_on >= $period_start::DATE AND s.served_on < $period_end::DATE), 0)
            AS hours,
        coalesce(sum(s.points) FILTER (WHERE s.served_on >= $period_start::DATE AND s.served_on < $period_end::DATE), 0)
            AS points,
        coalesce(sum(s.points) FILTER (WHERE s.served_on <= $as_at::DATE), 0) AS earned_to_date
    FROM services s SEMI JOIN v USING (volunteer_id)
    GROUP BY s.volunteer_id
),
spent AS (
    SELECT d.volunteer_id, coalesce(sum(d.points_spent) FILTER (WHERE d.redeemed_on <= $as_at::DATE), 0) AS redeemed
    FROM redemptions d SEMI JOIN v USING (volunteer_id)
    GROUP BY d.volunteer_id
)
SELECT
    v.volunteer_id, v.display_name, v.kind, v.compound, v.joined_on,
    coalesce(s.services, 0) AS services,
    coalesce(s.hours, 0) AS hours,
    coalesce(s.points, 0) AS points,
    greatest(coalesce(s.earned_to_date, 0) - coalesce(d.redeemed, 0), 0) AS balance
FROM v
LEFT JOIN served s USING (volunteer_id)
LEFT JOIN spent d USING (volunteer_id)
ORDER BY hours DESC, balance DESC, v.volunteer_id
