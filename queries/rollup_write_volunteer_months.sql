-- rollup_volunteer_months from services (see schema.sql): the months each volunteer served in.
INSERT INTO rollup_volunteer_months BY NAME
SELECT v.compound_id, s.volunteer_id, list(DISTINCT date_trunc('month', s.served_on)::DATE) AS months
FROM services s
JOIN volunteers v USING (volunteer_id)
GROUP BY ALL
ORDER BY v.compound_id, s.volunteer_id
