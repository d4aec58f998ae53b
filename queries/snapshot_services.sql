-- Snapshot: services of the volunteers of the compounds in $compound_ids.
SELECT * FROM services
WHERE volunteer_id IN (SELECT volunteer_id FROM volunteers WHERE compound_id IN (SELECT unnest(scope($compound_ids))))
ORDER BY service_id
