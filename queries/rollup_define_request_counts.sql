-- request_counts(period_start, period_end, compound_ids): the counts behind the three rates (口径 as
-- kpi_requests.sql) of the requests received in [period_start, period_end) in the compounds, one row per
-- compound and month received that has requests. Whole months read rollup_requests_monthly; any other
-- period (the weekly report) the requests themselves, the same counts; the parameters alone choose, so the
-- other branch is never run. A table macro, stored with the roll-ups by rollups.rebuild, so the five
-- queries that rank and chart these rates share one definition of them.
CREATE OR REPLACE MACRO request_counts(period_start, period_end, compound_ids) AS TABLE
SELECT
    compound_id,
    month,
    requests,
    responded_24h,
    resolved,
    unresolved,
    followup_answered,
    followup_resolved,
    rated,
    satisfied
FROM rollup_requests_monthly
WHERE period_start::DATE = date_trunc('month', period_start::DATE)
  AND period_end::DATE = date_trunc('month', period_end::DATE)
  AND compound_id IN (SELECT unnest(compound_ids::VARCHAR[]))
  AND month >= period_start::DATE AND month < period_end::DATE
  AND requests > 0
UNION ALL
SELECT
    compound_id,
    date_trunc('month', received_at)::DATE,
    count(*),
    count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR),
    count(resolved_at),
    count(*) FILTER (WHERE resolved_at IS NULL),
    count(followup_resolved),
    count(*) FILTER (WHERE followup_resolved = 'resolved'),
    count(followup_satisfaction),
    count(*) FILTER (WHERE followup_satisfaction IN ('satisfied', 'basically_satisfied'))
FROM requests
WHERE NOT (period_start::DATE = date_trunc('month', period_start::DATE)
           AND period_end::DATE = date_trunc('month', period_end::DATE))
  AND compound_id IN (SELECT unnest(compound_ids::VARCHAR[]))
  AND received_at >= period_start::DATE AND received_at < period_end::DATE
GROUP BY ALL
