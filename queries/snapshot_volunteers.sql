-- Snapshot: volunteers of the compounds in $compound_ids.
SELECT * FROM volunteers WHERE compound_id IN (SELECT unnest(scope($compound_ids))) ORDER BY volunteer_id
