-- rollup_services_monthly from services (see schema.sql), by the volunteer's compound, summed from
-- _rollup_served (rollup_write_served.sql): each of its rows is one volunteer in one month.
INSERT INTO rollup_services_monthly BY NAME
SELECT
    compound_id,
    month,
    sum(services)::BIGINT AS services,
    count(*) AS volunteers,
    sum(hours) AS hours,
    sum(points) AS points,
    -- Blank, not 0, when nothing was on or before as_of: a compound with none has no balance row.
    sum(points_to_as_of) AS points_to_as_of
FROM _rollup_served
GROUP BY ALL
ORDER BY compound_id, month
