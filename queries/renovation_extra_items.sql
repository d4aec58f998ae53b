-- Items outside the renovation plan in the compounds in $compound_ids, with the partner units whose
-- contributions are tied to them and the value those contributions saved.
WITH given AS (
    SELECT k.item_id, string_agg(DISTINCT u.name, '、' ORDER BY u.name) AS partners, sum(k.value_yuan) AS value_yuan
    FROM contributions k JOIN partner_units u USING (unit_id)
    WHERE k.compound_id IN (SELECT unnest(scope($compound_ids))) AND k.item_id IS NOT NULL
    GROUP BY k.item_id
)
SELECT
    i.item_id, c.name AS compound, i.title, i.item_type, i.funding, i.stage, i.units_affected,
    i.budget_yuan, coalesce(g.partners, '') AS partners, coalesce(g.value_yuan, 0) AS value_yuan
FROM renovation_items i
JOIN compounds c USING (compound_id)
LEFT JOIN given g USING (item_id)
WHERE i.compound_id IN (SELECT unnest(scope($compound_ids))) AND NOT i.in_plan
ORDER BY i.compound_id, i.item_id
