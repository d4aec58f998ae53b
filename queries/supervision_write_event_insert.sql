-- One event of a case: the next number in its history.
INSERT INTO supervision_events
SELECT $case_id, coalesce((SELECT max(seq) FROM supervision_events WHERE case_id = $case_id), 0) + 1,
       $now::TIMESTAMP, $who, $action, $note
