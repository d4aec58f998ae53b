-- Renovation headline figures for the compounds in $compound_ids, as they stood on $as_at.
-- The compounds counted are those in the plan whose batch had begun by $as_at. A compound has
-- started (开工) when any of its in-plan items has an actual start on or before $as_at, and is
-- finished (完工) when it has in-plan items and every one of them was done by $as_at.
WITH c AS (
    SELECT * FROM compounds WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
),
i AS (
    SELECT *, stage = 'done' AND coalesce(actual_end, $as_of::DATE) <= $as_at::DATE AS done_then
    FROM renovation_items WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
),
planned AS (
    SELECT * FROM c
    WHERE in_renovation_plan AND (plan_batch IS NULL OR plan_batch <= strftime($as_at::DATE, '%Y-%m'))
),
by_compound AS (
    SELECT
        p.compound_id,
        coalesce(bool_or(i.actual_start <= $as_at::DATE), false) AS started,
        count(i.item_id) > 0 AND coalesce(bool_and(i.done_then), false) AS finished
    FROM planned p LEFT JOIN i ON i.compound_id = p.compound_id AND i.in_plan
    GROUP BY p.compound_id
)
SELECT
    (SELECT count(*) FROM planned) AS compounds_in_plan,
    (SELECT coalesce(sum(households), 0) FROM planned) AS households_benefiting,
    (SELECT count(*) FILTER (WHERE started) FROM by_compound) AS compounds_started,
    (SELECT count(*) FILTER (WHERE finished) FROM by_compound) AS compounds_finished,
    (SELECT count(*) FILTER (WHERE started) / nullif(count(*), 0) FROM by_compound) AS start_rate,
    (SELECT count(*) FILTER (WHERE finished) / nullif(count(*), 0) FROM by_compound) AS finish_rate,
    (SELECT count(*) FROM i) AS items_total,
    (SELECT count(*) FROM i WHERE done_then) AS items_done,
    (SELECT coalesce(sum(budget_yuan), 0) FROM i) AS budget_total,
    (SELECT coalesce(sum(spent_yuan), 0) FROM i) AS budget_spent,
    (SELECT count(*) FROM i
      WHERE planned_start < $as_at::DATE AND (actual_start IS NULL OR actual_start > $as_at::DATE)) AS late_start_items,
    (SELECT count(*) FROM i WHERE planned_end < $as_at::DATE AND NOT done_then) AS overdue_items,
    (SELECT count(*) FROM i WHERE NOT in_plan) AS extra_items,
    -- Elevators in 台: an elevator item without the count is one elevator.
    (SELECT coalesce(sum(coalesce(elevators, 1)), 0) FROM i WHERE item_type = 'elevator') AS elevators_total,
    (SELECT coalesce(sum(coalesce(elevators, 1)), 0) FROM i WHERE item_type = 'elevator' AND done_then)
        AS elevators_done,
    (SELECT coalesce(sum(progress_pct * budget_yuan) / nullif(sum(budget_yuan), 0), avg(progress_pct)) FROM i)
        AS weighted_progress
