-- Snapshot: progress updates of the renovation items of the compounds in $compound_ids.
SELECT * FROM progress_updates
WHERE item_id IN (SELECT item_id FROM renovation_items WHERE compound_id IN (SELECT unnest(scope($compound_ids))))
ORDER BY item_id, reported_on
