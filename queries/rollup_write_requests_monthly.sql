-- rollup_requests_monthly from requests (see schema.sql); run by rollups.rebuild after emptying the table.
INSERT INTO rollup_requests_monthly BY NAME
WITH cutoff AS (SELECT max(value::DATE) + 1 AS t FROM meta WHERE key = 'as_of'),
received AS (
    SELECT
        compound_id,
        date_trunc('month', received_at)::DATE AS month,
        count(*) AS requests,
        count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR) AS responded_24h,
        count(resolved_at) AS resolved,
        count(*) FILTER (WHERE resolved_at IS NULL) AS unresolved,
        count(followup_resolved) AS followup_answered,
        count(*) FILTER (WHERE followup_resolved = 'resolved') AS followup_resolved,
        count(followup_satisfaction) AS rated,
        count(*) FILTER (WHERE followup_satisfaction IN ('satisfied', 'basically_satisfied')) AS satisfied,
        count(*) FILTER (WHERE resolved_at > received_at + to_days(time_limit_days)) AS late_closed_with_limit,
        count(*) FILTER (WHERE received_at < (SELECT t FROM cutoff)) AS received_to_as_of
    FROM requests
    GROUP BY ALL
),
closed AS (
    SELECT
        compound_id,
        date_trunc('month', resolved_at)::DATE AS month,
        count(*) AS resolved_in_month,
        count(*) FILTER (WHERE resolved_at < (SELECT t FROM cutoff)) AS resolved_to_as_of
    FROM requests
    WHERE resolved_at IS NOT NULL
    GROUP BY ALL
)
SELECT
    compound_id,
    month,
    coalesce(r.requests, 0) AS requests,
    coalesce(r.responded_24h, 0) AS responded_24h,
    coalesce(r.resolved, 0) AS resolved,
    coalesce(r.unresolved, 0) AS unresolved,
    coalesce(r.followup_answered, 0) AS followup_answered,
    coalesce(r.followup_resolved, 0) AS followup_resolved,
    coalesce(r.rated, 0) AS rated,
    coalesce(r.satisfied, 0) AS satisfied,
    coalesce(r.late_closed_with_limit, 0) AS late_closed_with_limit,
    coalesce(r.received_to_as_of, 0) AS received_to_as_of,
    coalesce(c.resolved_in_month, 0) AS resolved_in_month,
    coalesce(c.resolved_to_as_of, 0) AS resolved_to_as_of
FROM received r
FULL JOIN closed c USING (compound_id, month)
ORDER BY compound_id, month
