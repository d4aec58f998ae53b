-- A case that closed itself opens again when its cause is back (never one an official closed).
UPDATE supervision_cases SET status = 'open', closed_on = NULL, closed_how = NULL, close_proposed = false
WHERE status = 'closed' AND closed_how = 'auto' AND case_id IN (SELECT case_id FROM _causes)
