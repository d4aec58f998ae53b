-- The property companies' league table for [$period_start, $period_end): the compounds in
-- $compound_ids each served in the period, their party strength, the rates of the requests
-- received there while it served them (by month received; 口径 as kpi_requests.sql), the
-- 综合得分 and their average fee collection. Ranked only with at least $min_rated 回访 answers.
WITH served AS (
    SELECT compound_id, month, company_id, fee_collection_pct
    FROM red_property_monthly
    WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
      AND month >= $period_start::DATE AND month < $period_end::DATE
      AND company_id IS NOT NULL
),
-- The requests' rates by the company that served the compound in the month they were received
-- (request_rates: queries/rollup_define_request_rates.sql).
rq AS (
    SELECT * FROM request_rates($period_start, $period_end, scope($compound_ids), 'company_id')
    WHERE company_id IS NOT NULL
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
