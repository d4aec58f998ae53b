-- Renovation progress per compound in $compound_ids: items, done, budget-weighted progress, overdue on $as_at.
SELECT
    c.compound_id,
    c.name AS compound,
    m.name AS community,
    count(i.item_id) AS items,
    count(i.item_id) FILTER (WHERE i.stage = 'done') AS items_done,
    round(coalesce(sum(i.progress_pct * i.budget_yuan) / nullif(sum(i.budget_yuan), 0), avg(i.progress_pct)), 1)
        AS progress,
    count(i.item_id) FILTER (WHERE i.stage <> 'done' AND i.planned_end < $as_at::DATE) AS overdue,
    coalesce(sum(i.budget_yuan), 0) AS budget,
    coalesce(sum(i.spent_yuan), 0) AS spent
FROM compounds c
JOIN communities m USING (community_id)
JOIN renovation_items i USING (compound_id)
WHERE c.compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
GROUP BY ALL
ORDER BY progress DESC, c.compound_id
