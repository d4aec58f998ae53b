-- 未按期开工: items whose planned start is before $as_at and that had not started by then, latest first.
SELECT
    i.item_id, c.name AS compound, i.title, i.item_type, i.stage, i.planned_start, i.planned_end,
    date_diff('day', i.planned_start, $as_at::DATE) AS days_late
FROM renovation_items i JOIN compounds c USING (compound_id)
WHERE i.compound_id IN (SELECT unnest(scope($compound_ids)))
  AND i.planned_start < $as_at::DATE AND (i.actual_start IS NULL OR i.actual_start > $as_at::DATE)
ORDER BY days_late DESC, i.item_id
