-- The responsible units named on the cases of $compound_ids: the ledger's unit filter.
SELECT DISTINCT assignee_unit FROM supervision_cases
WHERE assignee_unit IS NOT NULL AND compound_id IN (SELECT unnest(scope($compound_ids)))
ORDER BY 1
