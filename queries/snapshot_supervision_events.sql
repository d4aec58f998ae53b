-- Snapshot: the history of the supervision cases of the compounds in $compound_ids.
SELECT e.* FROM supervision_events e JOIN supervision_cases s USING (case_id)
WHERE s.compound_id IN (SELECT unnest(scope($compound_ids))) ORDER BY e.case_id, e.seq
