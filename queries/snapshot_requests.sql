-- Snapshot: resident requests from the compounds in $compound_ids.
SELECT * FROM requests WHERE compound_id IN (SELECT unnest(scope($compound_ids))) ORDER BY request_id
