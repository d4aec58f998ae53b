-- Renovation items by stage and category (count and budget) for the compounds in $compound_ids.
SELECT stage, category, count(*) AS items, coalesce(sum(budget_yuan), 0) AS budget
FROM renovation_items
WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
GROUP BY ALL
ORDER BY stage, category
