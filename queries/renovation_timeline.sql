-- Renovation items on a timeline, one row per bar: the planned bar (planned start→end) and the actual
-- bar (actual start→end; an open item's runs to $as_of), whose `bar` says done, in_progress or overdue.
-- Only $limit items of the compounds in $compound_ids: the most overdue open ones first, then the
-- latest due; items_in_scope counts them all.
WITH scoped AS (
    SELECT
        i.item_id, i.compound_id, c.name AS compound, i.title, i.stage, i.progress_pct,
        i.planned_start, i.planned_end, i.actual_start, i.actual_end,
        i.stage <> 'done' AND i.planned_end < $as_of::DATE AS is_overdue,
        -- Days past the planned end: finished late, or still open past it (negative: ahead of plan).
        date_diff('day', i.planned_end, coalesce(i.actual_end, $as_of::DATE)) AS delay_days,
        count(*) OVER () AS items_in_scope
    FROM renovation_items i JOIN compounds c USING (compound_id)
    WHERE i.compound_id IN (SELECT unnest(scope($compound_ids)))
),
picked AS (
    SELECT *,
        -- The bar's label: compound and title, with the id where that pair repeats.
        compound || ' · ' || title
            || CASE WHEN count(*) OVER (PARTITION BY compound_id, title) > 1 THEN '（' || item_id || '）' ELSE '' END
            AS item
    FROM scoped
    ORDER BY is_overdue DESC, CASE WHEN is_overdue THEN delay_days END DESC, planned_end DESC NULLS LAST, item_id
    LIMIT $limit
),
bars AS (
    SELECT *, 'planned' AS bar, planned_start AS start_date, planned_end AS end_date
    FROM picked WHERE planned_start IS NOT NULL AND planned_end IS NOT NULL
    UNION ALL
    SELECT *,
        CASE WHEN stage = 'done' THEN 'done' WHEN is_overdue THEN 'overdue' ELSE 'in_progress' END AS bar,
        actual_start AS start_date,
        coalesce(actual_end, greatest($as_of::DATE, actual_start)) AS end_date
    FROM picked WHERE actual_start IS NOT NULL
)
SELECT
    item_id, item, compound, title, stage, progress_pct, bar, start_date, end_date,
    planned_start, planned_end, actual_start, actual_end, delay_days, items_in_scope
FROM bars
ORDER BY planned_start NULLS LAST, item_id, bar DESC
