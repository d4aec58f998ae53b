-- The ledger's cases for $compound_ids by shown status (逾期未办 when past its deadline on $as_of),
-- narrowed to $kinds and $units as the list is (an empty list: all): the line above the list.
SELECT CASE WHEN status <> 'closed' AND due_on < $as_of::DATE THEN 'overdue' ELSE status END AS status,
       count(*) AS cases
FROM supervision_cases
WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
  AND (len($kinds::VARCHAR[]) = 0 OR list_contains($kinds::VARCHAR[], kind))
  AND (len($units::VARCHAR[]) = 0 OR list_contains($units::VARCHAR[], assignee_unit))
GROUP BY 1
