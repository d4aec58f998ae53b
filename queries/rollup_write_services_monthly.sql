-- rollup_services_monthly from services (see schema.sql), by the volunteer's compound.
INSERT INTO rollup_services_monthly BY NAME
SELECT
    v.compound_id,
    date_trunc('month', s.served_on)::DATE AS month,
    count(*) AS services,
    count(DISTINCT s.volunteer_id) AS volunteers,
    sum(s.hours) AS hours,
    sum(s.points) AS points,
    -- Blank, not 0, when nothing was on or before as_of: a compound with none has no balance row.
    sum(s.points) FILTER (WHERE s.served_on <= (SELECT max(value::DATE) FROM meta WHERE key = 'as_of'))
        AS points_to_as_of
FROM services s
JOIN volunteers v USING (volunteer_id)
GROUP BY ALL
ORDER BY compound_id, month
