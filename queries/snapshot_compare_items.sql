-- Renovation items whose stage or progress differ between an earlier snapshot (before_items)
-- and a later one (renovation_items), in the compounds of $compound_ids; items only in one of them too.
SELECT
    coalesce(a.item_id, b.item_id) AS item_id,
    coalesce(a.compound_id, b.compound_id) AS compound_id,
    coalesce(c.name, coalesce(a.compound_id, b.compound_id)) AS compound,
    coalesce(a.title, b.title) AS title,
    b.stage AS stage_before,
    a.stage AS stage_after,
    b.progress_pct AS progress_before,
    a.progress_pct AS progress_after,
    CASE WHEN b.item_id IS NULL THEN 'added' WHEN a.item_id IS NULL THEN 'removed' ELSE 'changed' END AS status
FROM renovation_items a
FULL OUTER JOIN before_items b ON a.item_id = b.item_id
LEFT JOIN compounds c ON c.compound_id = coalesce(a.compound_id, b.compound_id)
WHERE coalesce(a.compound_id, b.compound_id) IN (SELECT unnest(scope($compound_ids)))
  AND (a.item_id IS NULL OR b.item_id IS NULL
       OR a.stage IS DISTINCT FROM b.stage OR a.progress_pct IS DISTINCT FROM b.progress_pct)
ORDER BY compound_id, item_id
