-- Every cause for a supervision case (its id: KG 开工, WG 完工, SQ 诉求, MY 满意 + the subject's id) on the data's as_of ($as_of), across the whole street:
-- items not started by their planned start, items not done by their planned end, requests open
-- beyond the handling limit ($request_days), compounds whose rated requests of the last 12 months
-- ($min_rated at least) are satisfied below $satisfaction_line.
WITH items AS (
    SELECT i.*, c.name AS compound FROM renovation_items i JOIN compounds c USING (compound_id)
    WHERE i.stage <> 'done'
),
rated AS (
    SELECT compound_id, count(*) AS rated, count(*) FILTER (WHERE satisfaction >= 4) / count(*) AS satisfied
    FROM requests
    WHERE satisfaction IS NOT NULL AND received_at > $as_of::DATE - INTERVAL 12 MONTH
      AND received_at < $as_of::DATE + INTERVAL 1 DAY
    GROUP BY compound_id
)
SELECT 'KG-' || item_id AS case_id, 'late_start' AS kind, compound_id, item_id AS subject_id,
       compound || '：' || title AS title
FROM items WHERE actual_start IS NULL AND planned_start < $as_of::DATE
UNION ALL
SELECT 'WG-' || item_id, 'late_finish', compound_id, item_id, compound || '：' || title
FROM items WHERE actual_start IS NOT NULL AND planned_end < $as_of::DATE
UNION ALL
SELECT 'SQ-' || r.request_id, 'request_overdue', r.compound_id, r.request_id,
       c.name || '：' || coalesce(r.summary, r.request_id)
FROM requests r JOIN compounds c USING (compound_id)
WHERE r.received_at < $as_of::DATE - to_days(CAST($request_days AS INTEGER))
  AND (r.resolved_at IS NULL OR r.resolved_at >= $as_of::DATE + INTERVAL 1 DAY)
UNION ALL
SELECT 'MY-' || compound_id, 'low_satisfaction', compound_id, compound_id, c.name
FROM rated JOIN compounds c USING (compound_id)
WHERE rated >= $min_rated AND satisfied < $satisfaction_line
