-- Snapshot: the supervision cases of the compounds in $compound_ids.
SELECT * FROM supervision_cases WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[])) ORDER BY case_id
