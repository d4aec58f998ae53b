-- New causes open new cases, opened on the data's as_of ($today).
INSERT INTO supervision_cases (case_id, kind, compound_id, subject_id, title, status, opened_on)
SELECT case_id, kind, compound_id, subject_id, title, 'open', $today::DATE FROM _causes
WHERE case_id NOT IN (SELECT case_id FROM supervision_cases)
