-- Snapshot: partner contributions to the compounds in $compound_ids.
SELECT * FROM contributions WHERE compound_id IN (SELECT unnest(scope($compound_ids))) ORDER BY contribution_id
