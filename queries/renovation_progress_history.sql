-- The progress reports behind each renovation item of the compounds in $compound_ids, oldest first;
-- `item` labels the item by its title, with its id where a compound has two items of that title.
WITH i AS (
    SELECT
        i.item_id, i.compound_id, c.name AS compound, i.title,
        i.title || CASE WHEN count(*) OVER (PARTITION BY i.compound_id, i.title) > 1
                        THEN '（' || i.item_id || '）' ELSE '' END AS item
    FROM renovation_items i JOIN compounds c USING (compound_id)
    WHERE i.compound_id IN (SELECT unnest(scope($compound_ids)))
)
SELECT i.item_id, i.compound_id, i.compound, i.item, i.title, u.reported_on, u.stage, u.progress_pct, u.note
FROM progress_updates u JOIN i USING (item_id)
WHERE u.reported_on <= $as_of::DATE
ORDER BY i.compound_id, u.item_id, u.reported_on
