-- rollup_volunteer_months from services (see schema.sql): the months each volunteer served in,
-- from _rollup_served (rollup_write_served.sql).
INSERT INTO rollup_volunteer_months BY NAME
SELECT compound_id, volunteer_id, list(month ORDER BY month) AS months
FROM _rollup_served
GROUP BY ALL
ORDER BY compound_id, volunteer_id
