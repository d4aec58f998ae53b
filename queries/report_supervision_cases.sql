-- The 督办 cases (issue 13's ledger) of the compounds in $compound_ids that were open at some time in
-- [$period_start, $period_end): opened before its end and not closed before its start.
SELECT
    s.case_id, s.kind, c.name AS compound, s.title, s.status, s.due_on, s.assignee_unit, s.opened_on, s.closed_on
FROM supervision_cases s JOIN compounds c USING (compound_id)
WHERE s.compound_id IN (SELECT unnest(scope($compound_ids)))
  AND s.opened_on < $period_end::DATE
  AND (s.closed_on IS NULL OR s.closed_on >= $period_start::DATE)
ORDER BY s.case_id
