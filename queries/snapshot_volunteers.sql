-- Snapshot: volunteers of the compounds in $compound_ids.
SELECT * FROM volunteers WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[])) ORDER BY volunteer_id
