-- The requests received in [$period_start, $period_end), newest first; at most $limit rows
-- (NULL: every row, for the download). Each with its 办理时限 (time_limit_days, else
-- $default_time_limit_days), the day it was due, the days it took to close, whether it ran past
-- its limit (closed late, or still open past it on $as_at) and the 回访 answers.
SELECT
    r.request_id, c.name AS compound, r.received_at, r.channel, r.category, r.summary, r.handler,
    r.responded_at, r.resolved_at,
    coalesce(r.time_limit_days, $default_time_limit_days) AS time_limit_days,
    (r.received_at + to_days(coalesce(r.time_limit_days, $default_time_limit_days)::INTEGER))::DATE AS due_on,
    round(epoch(r.resolved_at - r.received_at) / 86400, 1) AS handling_days,
    coalesce(
        r.resolved_at > r.received_at + to_days(coalesce(r.time_limit_days, $default_time_limit_days)::INTEGER),
        r.received_at + to_days(coalesce(r.time_limit_days, $default_time_limit_days)::INTEGER) < $as_at::DATE + 1
    ) AS overdue_request,
    r.followup_resolved, r.followup_satisfaction
FROM requests r JOIN compounds c USING (compound_id)
WHERE r.compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
  AND r.received_at >= $period_start::DATE AND r.received_at < $period_end::DATE
ORDER BY r.received_at DESC, r.request_id
LIMIT $limit
