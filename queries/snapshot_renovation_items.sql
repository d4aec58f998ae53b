-- Snapshot: renovation items of the compounds in $compound_ids.
SELECT * FROM renovation_items WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[])) ORDER BY item_id
