-- A street admin makes a unit and a person responsible, with a deadline; the case is being handled.
UPDATE supervision_cases SET assignee_unit = $unit, assignee_person = $person, due_on = $due_on::DATE,
       status = 'in_progress'
WHERE case_id = $case_id
