-- Every renovation item of the compounds in $compound_ids with its stage, progress, money and dates;
-- days_overdue counts the days past the planned end on $as_of for items not done.
SELECT
    i.item_id, i.compound_id, c.name AS compound, i.title, i.item_type, i.category,
    lower(i.in_plan::VARCHAR) AS in_plan, i.funding, i.stage, i.progress_pct,
    i.budget_yuan, i.spent_yuan, i.planned_start, i.planned_end, i.actual_start, i.actual_end, i.units_affected,
    CASE WHEN i.stage <> 'done' AND i.planned_end < $as_of::DATE
         THEN date_diff('day', i.planned_end, $as_of::DATE) END AS days_overdue
FROM renovation_items i JOIN compounds c USING (compound_id)
WHERE i.compound_id IN (SELECT unnest(scope($compound_ids)))
ORDER BY i.compound_id, i.planned_start NULLS LAST, i.item_id
LIMIT $limit
