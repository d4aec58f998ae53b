-- Renovation items in the plan versus extra to it (like the chute removal), by who funded them:
-- count, budget and spending for the compounds in $compound_ids.
SELECT
    CASE WHEN in_plan THEN 'in_plan' ELSE 'extra' END AS plan_status,
    funding,
    count(*) AS items,
    coalesce(sum(budget_yuan), 0) AS budget,
    coalesce(sum(spent_yuan), 0) AS spent
FROM renovation_items
WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
GROUP BY ALL
ORDER BY plan_status DESC, funding
