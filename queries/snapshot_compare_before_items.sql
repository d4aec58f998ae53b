-- The earlier snapshot's renovation items in the compounds of $compound_ids, to compare with the later one.
SELECT * FROM renovation_items
WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
ORDER BY item_id
