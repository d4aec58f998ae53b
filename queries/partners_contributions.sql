-- Every partner contribution to the compounds in $compound_ids made in [$period_start, $period_end)
-- (by the unit $unit_id, or NULL: by every unit), newest first, with the unit, the compound, the
-- renovation item it served (if any) and what it saved.
SELECT
    k.contribution_id, k.contributed_on, k.unit_id, u.name AS unit, c.name AS compound, k.kind,
    k.description, coalesce(i.title, '') AS title, k.value_yuan, k.volunteer_hours, k.participants, k.households_benefited
FROM contributions k
JOIN partner_units u USING (unit_id)
JOIN compounds c ON c.compound_id = k.compound_id
LEFT JOIN renovation_items i ON i.item_id = k.item_id
WHERE k.compound_id IN (SELECT unnest(scope($compound_ids)))
  AND k.contributed_on >= $period_start::DATE AND k.contributed_on < $period_end::DATE
  AND ($unit_id::VARCHAR IS NULL OR k.unit_id = $unit_id::VARCHAR)
ORDER BY k.contributed_on DESC, k.contribution_id
LIMIT $limit
