-- The events of a sync, written before the cases change (they read the cases as they were): cases
-- whose cause is gone close themselves, cases closed that way reopen when the cause is back (a case
-- an official closed stays closed), new causes open new cases. _causes: supervision_causes.sql.
INSERT INTO supervision_events
SELECT s.case_id, coalesce((SELECT max(seq) FROM supervision_events e WHERE e.case_id = s.case_id), 0) + 1,
       $now::TIMESTAMP, $who, s.action, NULL
FROM (
    SELECT case_id, 'auto_closed' AS action FROM supervision_cases
    WHERE status <> 'closed' AND case_id NOT IN (SELECT case_id FROM _causes)
    UNION ALL
    SELECT case_id, 'reopened' FROM supervision_cases
    WHERE status = 'closed' AND closed_how = 'auto' AND case_id IN (SELECT case_id FROM _causes)
    UNION ALL
    SELECT case_id, 'opened' FROM _causes WHERE case_id NOT IN (SELECT case_id FROM supervision_cases)
) s
