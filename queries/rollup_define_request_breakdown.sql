-- request_breakdown(period_start, period_end, compound_ids, per): the requests received in
-- [period_start, period_end) in the compounds, by the column `per` names ('channel' or 'category'), with
-- those answered within 24 hours and those closed (口径 as kpi_requests.sql). Whole months read
-- rollup_requests_breakdown: its street rows (no compound) when every compound is in scope, else the
-- compounds' rows; any other period (the weekly report) the requests themselves, the same counts. The
-- parameters and the scope alone choose, so the branches not taken read nothing. A table macro, stored with
-- the roll-ups by rollups.rebuild: the two charts of 接诉即办 count their requests by it.
CREATE OR REPLACE MACRO request_breakdown(period_start, period_end, compound_ids, per) AS TABLE
WITH scope AS (
    SELECT compound_id FROM compounds WHERE compound_id IN (SELECT unnest(compound_ids::VARCHAR[]))
),
rolled AS (
    SELECT
        period_start::DATE = date_trunc('month', period_start::DATE)
            AND period_end::DATE = date_trunc('month', period_end::DATE) AS whole_months,
        (SELECT count(*) FROM scope) = (SELECT count(*) FROM compounds) AS whole_street
),
counted AS (
    SELECT channel, category, requests, responded_24h, resolved
    FROM rollup_requests_breakdown
    WHERE compound_id IS NULL
      AND (SELECT whole_months AND whole_street FROM rolled)
      AND month >= period_start::DATE AND month < period_end::DATE
      AND COLUMNS('^' || per || '$') IS NOT NULL
    UNION ALL
    SELECT channel, category, requests, responded_24h, resolved
    FROM rollup_requests_breakdown
    WHERE compound_id IN (SELECT compound_id FROM scope WHERE (SELECT whole_months AND NOT whole_street FROM rolled))
      AND month >= period_start::DATE AND month < period_end::DATE
      AND COLUMNS('^' || per || '$') IS NOT NULL
    UNION ALL
    SELECT
        channel,
        category,
        1,
        (responded_at <= received_at + INTERVAL 24 HOUR)::INTEGER,
        (resolved_at IS NOT NULL)::INTEGER
    FROM requests
    WHERE NOT (period_start::DATE = date_trunc('month', period_start::DATE)
               AND period_end::DATE = date_trunc('month', period_end::DATE))
      AND compound_id IN (SELECT unnest(compound_ids::VARCHAR[]))
      AND received_at >= period_start::DATE AND received_at < period_end::DATE
)
SELECT
    COLUMNS('^' || per || '$'),
    sum(requests)::BIGINT AS requests,
    coalesce(sum(responded_24h), 0)::BIGINT AS responded_24h,
    sum(resolved)::BIGINT AS resolved
FROM counted
GROUP BY ALL
