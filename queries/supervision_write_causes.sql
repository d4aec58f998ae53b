-- Every cause for a supervision case on the data's as_of ($as_of), across the whole street, by the
-- same 口径 as the pages (late_start_items, overdue_items, kpi_requests, requests_by_compound):
-- KG 未按期开工: planned start passed, not started; WG 未按期完工: planned end passed, not done;
-- SQ 超期: open past its 办理时限 (time_limit_days, else $default_time_limit_days);
-- MY 满意率偏低: of the 回访 answers on requests received in the 12 months to as_of, at least
-- $min_rated, the share satisfied or basically satisfied is below $satisfaction_line.
-- A case's id is those letters and the subject's id.
WITH items AS (
    SELECT i.*, c.name AS compound FROM renovation_items i JOIN compounds c USING (compound_id)
),
rated AS (
    SELECT compound_id,
           count(followup_satisfaction) AS rated,
           count(*) FILTER (WHERE followup_satisfaction IN ('satisfied', 'basically_satisfied'))
               / nullif(count(followup_satisfaction), 0) AS satisfied
    FROM requests
    WHERE received_at > $as_of::DATE - INTERVAL 12 MONTH AND received_at < $as_of::DATE + INTERVAL 1 DAY
    GROUP BY compound_id
)
SELECT 'KG-' || item_id AS case_id, 'late_start' AS kind, compound_id, item_id AS subject_id,
       compound || '：' || title AS title
FROM items
WHERE planned_start < $as_of::DATE AND (actual_start IS NULL OR actual_start > $as_of::DATE)
UNION ALL
SELECT 'WG-' || item_id, 'late_finish', compound_id, item_id, compound || '：' || title
FROM items WHERE stage <> 'done' AND planned_end < $as_of::DATE
UNION ALL
SELECT 'SQ-' || r.request_id, 'request_overdue', r.compound_id, r.request_id,
       c.name || '：' || coalesce(r.summary, r.request_id)
FROM requests r JOIN compounds c USING (compound_id)
WHERE r.received_at + to_days(coalesce(r.time_limit_days, $default_time_limit_days)::INTEGER) < $as_of::DATE + 1
  AND (r.resolved_at IS NULL OR r.resolved_at >= $as_of::DATE + 1)
  AND r.received_at < $as_of::DATE + 1
UNION ALL
SELECT 'MY-' || compound_id, 'low_satisfaction', compound_id, compound_id, c.name
FROM rated JOIN compounds c USING (compound_id)
WHERE rated >= $min_rated AND satisfied < $satisfaction_line
