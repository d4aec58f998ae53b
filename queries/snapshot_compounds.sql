-- Snapshot: the compounds in $compound_ids.
SELECT * FROM compounds WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[])) ORDER BY compound_id
