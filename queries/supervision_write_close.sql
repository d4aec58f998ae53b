-- 销号: a street admin closes the case on the data's as_of ($today).
UPDATE supervision_cases SET status = 'closed', closed_on = $today::DATE, closed_how = 'confirmed', close_proposed = false
WHERE case_id = $case_id
