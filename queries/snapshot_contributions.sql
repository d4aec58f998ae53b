-- Snapshot: partner contributions to the compounds in $compound_ids.
SELECT * FROM contributions WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[])) ORDER BY contribution_id
