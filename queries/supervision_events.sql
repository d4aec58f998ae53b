-- The history of one case ($case_id), oldest first, if its compound is in $compound_ids.
SELECT e.seq, e.acted_at, e.who, e.action, e.note
FROM supervision_events e JOIN supervision_cases s USING (case_id)
WHERE e.case_id = $case_id AND s.compound_id IN (SELECT unnest(scope($compound_ids)))
ORDER BY e.seq
