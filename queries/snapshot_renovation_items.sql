-- Snapshot: renovation items of the compounds in $compound_ids.
SELECT * FROM renovation_items WHERE compound_id IN (SELECT unnest(scope($compound_ids))) ORDER BY item_id
