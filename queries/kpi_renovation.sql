-- Renovation headline figures for the compounds in $compound_ids, as they stood on $as_at.
WITH c AS (
    SELECT * FROM compounds WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
),
i AS (
    SELECT *, stage = 'done' AND coalesce(actual_end, $as_of::DATE) <= $as_at::DATE AS done_then
    FROM renovation_items WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
),
planned AS (
    SELECT * FROM c
    WHERE in_renovation_plan AND (plan_batch IS NULL OR plan_batch <= strftime($as_at::DATE, '%Y-%m'))
)
SELECT
    (SELECT count(*) FROM planned) AS compounds_in_plan,
    (SELECT coalesce(sum(households), 0) FROM planned) AS households_benefiting,
    (SELECT count(*) FROM i) AS items_total,
    (SELECT count(*) FROM i WHERE done_then) AS items_done,
    (SELECT coalesce(sum(budget_yuan), 0) FROM i) AS budget_total,
    (SELECT coalesce(sum(spent_yuan), 0) FROM i) AS budget_spent,
    (SELECT count(*) FROM i WHERE planned_end < $as_at::DATE AND NOT done_then) AS overdue_items,
    (SELECT count(*) FROM i WHERE NOT in_plan) AS extra_items,
    (SELECT coalesce(sum(progress_pct * budget_yuan) / nullif(sum(budget_yuan), 0), avg(progress_pct)) FROM i)
        AS weighted_progress
