-- Renovation progress per compound in $compound_ids: items, done, budget-weighted progress, overdue on $as_at,
-- and whether the compound had started (an in-plan item with an actual start) and finished (every in-plan item done).
SELECT
    c.compound_id,
    c.name AS compound,
    m.name AS community,
    count(i.item_id) AS items,
    count(i.item_id) FILTER (WHERE i.stage = 'done') AS items_done,
    round(coalesce(sum(i.progress_pct * i.budget_yuan) / nullif(sum(i.budget_yuan), 0), avg(i.progress_pct)), 1)
        AS progress,
    coalesce(bool_or(i.in_plan AND i.actual_start <= $as_at::DATE), false) AS started,
    count(i.item_id) FILTER (WHERE i.in_plan) > 0
        AND coalesce(bool_and(i.stage = 'done' AND coalesce(i.actual_end, $as_of::DATE) <= $as_at::DATE)
            FILTER (WHERE i.in_plan), false) AS finished,
    count(i.item_id) FILTER (WHERE i.actual_start IS NULL AND i.planned_start < $as_at::DATE) AS late_start,
    count(i.item_id) FILTER (WHERE i.stage <> 'done' AND i.planned_end < $as_at::DATE) AS overdue,
    coalesce(sum(i.budget_yuan), 0) AS budget,
    coalesce(sum(i.spent_yuan), 0) AS spent
FROM compounds c
JOIN communities m USING (community_id)
JOIN renovation_items i USING (compound_id)
WHERE c.compound_id IN (SELECT unnest(scope($compound_ids)))
GROUP BY ALL
ORDER BY progress DESC, c.compound_id
