-- Cases whose cause is gone close themselves on the data's as_of ($today).
UPDATE supervision_cases SET status = 'closed', closed_on = $today::DATE, closed_how = 'auto', close_proposed = false
WHERE status <> 'closed' AND case_id NOT IN (SELECT case_id FROM _causes)
