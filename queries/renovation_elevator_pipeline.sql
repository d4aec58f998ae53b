-- Elevator items (加装电梯) of the compounds in $compound_ids by stage, every stage listed in order.
WITH stages (stage, step) AS (
    VALUES ('survey', 1), ('design', 2), ('tendering', 3), ('construction', 4), ('acceptance', 5), ('done', 6)
),
lifts AS (
    SELECT * FROM renovation_items
    WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[])) AND item_type = 'elevator'
)
SELECT
    s.stage,
    count(l.item_id) AS elevators,
    coalesce(sum(l.units_affected), 0) AS units_affected,
    coalesce(sum(l.budget_yuan), 0) AS budget
FROM stages s LEFT JOIN lifts l USING (stage)
GROUP BY s.stage, s.step
ORDER BY s.step
