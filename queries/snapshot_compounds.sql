-- Snapshot: the compounds in $compound_ids.
SELECT * FROM compounds WHERE compound_id IN (SELECT unnest(scope($compound_ids))) ORDER BY compound_id
