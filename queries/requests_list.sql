-- The requests received in [$period_start, $period_end), newest first; at most $limit rows
-- (NULL: every row, for the download). Each with its 办理时限 (time_limit_days, else
-- $default_time_limit_days), the day it was due, the days it took to close, whether it ran past
-- its limit (closed late, or still open past it on $as_at) and the 回访 answers.
-- The page's rows are found on the sort keys alone and then read whole by rowid: sorting every
-- request's wide columns to keep 501 of them cost three times as much at city scale. For whole months
-- the search starts at the latest month from which on the scope received $limit requests or more
-- (counted in rollup_requests_monthly), so the newest rows are sought among a month's requests, not a year's.
-- For whole months of the whole street and at most 1,000 rows, they are among rollup_requests_newest
-- (each month's 1,000 newest or more) and read from there; the data alone chooses, the other reads nothing.
-- Every row (the download, $limit NULL) is read straight from the requests: the search by rowid would
-- only add a sort of the keys and a join to the one sort every row needs anyway.
WITH scope AS (
    SELECT compound_id FROM compounds WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
),
rolled AS (
    SELECT $period_start::DATE = date_trunc('month', $period_start::DATE)
        AND $period_end::DATE = date_trunc('month', $period_end::DATE)
        AND coalesce($limit <= 1000, false)
        AND (SELECT count(*) FROM scope) = (SELECT count(*) FROM compounds) AS whole_street
),
by_month AS (
    SELECT month, sum(requests) AS requests
    FROM rollup_requests_monthly
    WHERE $period_start::DATE = date_trunc('month', $period_start::DATE)
      AND $period_end::DATE = date_trunc('month', $period_end::DATE)
      AND compound_id IN (SELECT unnest(scope($compound_ids)))
      AND month >= $period_start::DATE AND month < $period_end::DATE
    GROUP BY month
),
since AS (
    SELECT greatest(coalesce(max(month) FILTER (WHERE from_here >= $limit), $period_start::DATE), $period_start::DATE)
        AS day
    FROM (SELECT month, sum(requests) OVER (ORDER BY month DESC) AS from_here FROM by_month)
),
newest AS (
    SELECT rowid AS row_number_in_table
    FROM requests
    WHERE $limit IS NOT NULL
      AND compound_id IN (SELECT compound_id FROM scope WHERE NOT (SELECT whole_street FROM rolled))
      AND received_at >= (SELECT day FROM since) AND received_at < $period_end::DATE
    ORDER BY received_at DESC, request_id
    LIMIT $limit
),
listed AS (
    SELECT
        request_id, compound_id, received_at, channel, category, summary, handler, responded_at, resolved_at,
        time_limit_days, followup_resolved, followup_satisfaction
    FROM rollup_requests_newest
    WHERE (SELECT whole_street FROM rolled) AND month >= $period_start::DATE AND month < $period_end::DATE
    UNION ALL
    SELECT
        request_id, compound_id, received_at, channel, category, summary, handler, responded_at, resolved_at,
        time_limit_days, followup_resolved, followup_satisfaction
    FROM requests
    WHERE rowid IN (SELECT row_number_in_table FROM newest)
    UNION ALL
    SELECT
        request_id, compound_id, received_at, channel, category, summary, handler, responded_at, resolved_at,
        time_limit_days, followup_resolved, followup_satisfaction
    FROM requests
    WHERE $limit IS NULL
      AND compound_id IN (SELECT unnest(scope($compound_ids)))
      AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
)
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
FROM listed r JOIN compounds c USING (compound_id)
ORDER BY r.received_at DESC, r.request_id
LIMIT $limit
