-- Elevators (加装电梯, in 台) of the compounds in $compound_ids by stage, every stage listed in order.
-- An elevator item without a count is one elevator.
WITH stages (stage, step) AS (
    VALUES ('survey', 1), ('consent', 2), ('design', 3), ('tendering', 4), ('construction', 5), ('acceptance', 6),
        ('done', 7)
),
lifts AS (
    SELECT * FROM renovation_items
    WHERE compound_id IN (SELECT unnest(scope($compound_ids))) AND item_type = 'elevator'
)
SELECT
    s.stage,
    coalesce(sum(CASE WHEN l.item_id IS NOT NULL THEN coalesce(l.elevators, 1) END), 0) AS elevators,
    coalesce(sum(l.units_affected), 0) AS units_affected,
    coalesce(sum(l.budget_yuan), 0) AS budget
FROM stages s LEFT JOIN lifts l USING (stage)
GROUP BY s.stage, s.step
ORDER BY s.step
