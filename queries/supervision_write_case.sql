-- One case as its actions need it (status, compound, proposal), whatever the reader's scope.
SELECT case_id, kind, compound_id, status, due_on, close_proposed FROM supervision_cases WHERE case_id = $case_id
