-- 未按期完工: items past their planned end on $as_at and not done, most overdue first.
SELECT
    i.item_id, c.name AS compound, i.title, i.item_type, i.stage, i.planned_end, i.progress_pct,
    date_diff('day', i.planned_end, $as_at::DATE) AS days_overdue
FROM renovation_items i JOIN compounds c USING (compound_id)
WHERE i.compound_id IN (SELECT unnest(scope($compound_ids)))
  AND i.stage <> 'done' AND i.planned_end < $as_at::DATE
ORDER BY days_overdue DESC, i.item_id
