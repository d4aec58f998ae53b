-- Snapshot: the supervision cases of the compounds in $compound_ids.
SELECT * FROM supervision_cases WHERE compound_id IN (SELECT unnest(scope($compound_ids))) ORDER BY case_id
