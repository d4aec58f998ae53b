-- Snapshot: resident requests from the compounds in $compound_ids.
SELECT * FROM requests WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[])) ORDER BY request_id
