-- The compounds' league table for [$period_start, $period_end): the rates of the requests received
-- in the period (口径 as kpi_requests.sql) and the 综合得分, beside the period's red property
-- figures (staffing in the latest reported month on or before $as_at; meetings summed, fee
-- collection averaged over the period's months). Only a compound with a property company and at
-- least $min_rated 回访 answers is ranked; the others are listed after, unranked.
-- The rates come from request_rates (queries/rollup_define_request_rates.sql).
WITH rq AS (
    SELECT * FROM request_rates($period_start, $period_end, scope($compound_ids), 'compound_id')
),
rp AS (
    SELECT
        compound_id,
        arg_max(company_id, month) AS company_id,
        arg_max(cross_appointed_staff, month) AS cross_appointed_staff,
        arg_max(party_members_serving, month) AS party_members_serving,
        arg_max(committee_party_share, month) AS committee_party_share,
        sum(joint_meetings)::BIGINT AS joint_meetings,
        round(avg(fee_collection_pct), 1) AS avg_fee_collection
    FROM red_property_monthly
    WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
      AND month >= $period_start::DATE AND month < $period_end::DATE AND month <= $as_at::DATE
    GROUP BY compound_id
),
scored AS (
    SELECT
        c.compound_id,
        c.name AS compound,
        round(100 * ($w_response * rq.response_rate + $w_resolution * rq.resolution_rate
                     + $w_satisfaction * rq.satisfaction_rate), 1) AS composite_score,
        rq.response_rate,
        rq.closure_rate,
        rq.resolution_rate,
        rq.satisfaction_rate,
        coalesce(rq.requests, 0) AS requests,
        coalesce(rq.rated, 0) AS rated,
        p.name AS company,
        rp.committee_party_share,
        rp.cross_appointed_staff,
        rp.party_members_serving,
        rp.joint_meetings,
        rp.avg_fee_collection,
        m.name AS community,
        rp.company_id IS NOT NULL AND coalesce(rq.rated, 0) >= $min_rated AS ranked
    FROM compounds c
    JOIN communities m USING (community_id)
    LEFT JOIN rq USING (compound_id)
    LEFT JOIN rp USING (compound_id)
    LEFT JOIN property_companies p ON p.company_id = rp.company_id
    WHERE c.compound_id IN (SELECT unnest(scope($compound_ids)))
      AND (rq.compound_id IS NOT NULL OR rp.compound_id IS NOT NULL)
)
SELECT
    CASE WHEN ranked THEN row_number() OVER (PARTITION BY ranked ORDER BY composite_score DESC NULLS LAST,
        rated DESC, compound_id) END AS rank,
    * EXCLUDE (ranked), ranked
FROM scored
ORDER BY ranked DESC, composite_score DESC NULLS LAST, rated DESC, compound_id
