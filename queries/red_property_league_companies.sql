-- The property companies' league table for [$period_start, $period_end): the compounds in
-- $compound_ids each served in the period, their party strength, the rates of the requests
-- received there while it served them (by month received; 口径 as kpi_requests.sql), the
-- 综合得分 and their average fee collection. Ranked only with at least $min_rated 回访 answers.
WITH served AS (
    SELECT compound_id, month, company_id, fee_collection_pct
    FROM red_property_monthly
    WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND month >= $period_start::DATE AND month < $period_end::DATE
      AND company_id IS NOT NULL
),
-- The requests' counts by company: whole months from the roll-up (its month is the month received, the
-- key this join needs), any other period (the weekly report) from the requests; the parameters choose.
counts AS (
    SELECT
        s.company_id,
        n.requests, n.responded_24h, n.resolved, n.followup_answered, n.followup_resolved, n.rated, n.satisfied
    FROM rollup_requests_monthly n
    JOIN served s ON s.compound_id = n.compound_id AND s.month = n.month
    WHERE $period_start::DATE = date_trunc('month', $period_start::DATE)
      AND $period_end::DATE = date_trunc('month', $period_end::DATE)
      AND n.month >= $period_start::DATE AND n.month < $period_end::DATE
      AND n.requests > 0
    UNION ALL
    SELECT
        s.company_id,
        1,
        (r.responded_at <= r.received_at + INTERVAL 24 HOUR)::INTEGER,
        (r.resolved_at IS NOT NULL)::INTEGER,
        (r.followup_resolved IS NOT NULL)::INTEGER,
        (r.followup_resolved = 'resolved')::INTEGER,
        (r.followup_satisfaction IS NOT NULL)::INTEGER,
        (r.followup_satisfaction IN ('satisfied', 'basically_satisfied'))::INTEGER
    FROM requests r
    JOIN served s ON s.compound_id = r.compound_id AND s.month = date_trunc('month', r.received_at)::DATE
    WHERE NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
               AND $period_end::DATE = date_trunc('month', $period_end::DATE))
      AND r.received_at >= $period_start::DATE AND r.received_at < $period_end::DATE
),
rq AS (
    SELECT
        company_id,
        sum(requests)::BIGINT AS requests,
        sum(responded_24h) / sum(requests) AS response_rate,
        sum(resolved) / sum(requests) AS closure_rate,
        sum(followup_resolved) / nullif(sum(followup_answered), 0) AS resolution_rate,
        sum(satisfied) / nullif(sum(rated), 0) AS satisfaction_rate,
        sum(rated)::BIGINT AS rated
    FROM counts
    GROUP BY company_id
),
fees AS (
    SELECT company_id, count(DISTINCT compound_id) AS compounds, round(avg(fee_collection_pct), 1) AS avg_fee_collection
    FROM served
    GROUP BY company_id
),
scored AS (
    SELECT
        p.company_id,
        p.name AS company,
        round(100 * ($w_response * rq.response_rate + $w_resolution * rq.resolution_rate
                     + $w_satisfaction * rq.satisfaction_rate), 1) AS composite_score,
        rq.response_rate,
        rq.closure_rate,
        rq.resolution_rate,
        rq.satisfaction_rate,
        coalesce(rq.requests, 0) AS requests,
        coalesce(rq.rated, 0) AS rated,
        f.compounds,
        f.avg_fee_collection,
        p.has_party_branch,
        p.party_members,
        p.kind,
        coalesce(rq.rated, 0) >= $min_rated AS ranked
    FROM fees f
    JOIN property_companies p USING (company_id)
    LEFT JOIN rq USING (company_id)
)
SELECT
    CASE WHEN ranked THEN row_number() OVER (PARTITION BY ranked ORDER BY composite_score DESC NULLS LAST,
        company_id) END AS rank,
    * EXCLUDE (ranked), ranked
FROM scored
ORDER BY ranked DESC, composite_score DESC NULLS LAST, company_id
