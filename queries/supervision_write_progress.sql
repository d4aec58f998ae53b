-- A progress note or a proposal to close: the case is being handled (the proposal is kept for an admin).
UPDATE supervision_cases SET status = 'in_progress', close_proposed = close_proposed OR $propose
WHERE case_id = $case_id
