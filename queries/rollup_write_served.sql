-- Services by volunteer and month, the step both service roll-ups are summed from (one pass over
-- services instead of two, and no count of distinct volunteers): a temporary table of rollups.rebuild.
CREATE OR REPLACE TEMP TABLE _rollup_served AS
SELECT
    v.compound_id,
    s.volunteer_id,
    date_trunc('month', s.served_on)::DATE AS month,
    count(*) AS services,
    sum(s.hours) AS hours,
    sum(s.points) AS points,
    sum(s.points) FILTER (WHERE s.served_on <= (SELECT max(value::DATE) FROM meta WHERE key = 'as_of'))
        AS points_to_as_of
FROM services s
JOIN volunteers v USING (volunteer_id)
GROUP BY ALL
