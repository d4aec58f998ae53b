-- The compounds' league table for [$period_start, $period_end): the rates of the requests received
-- in the period (口径 as kpi_requests.sql) and the 综合得分, beside the period's red property
-- figures (staffing in the latest reported month on or before $as_at; meetings summed, fee
-- collection averaged over the period's months). Only a compound with a property company and at
-- least $min_rated 回访 answers is ranked; the others are listed after, unranked.
-- Whole months read the roll-up (rollups.py); another period (the weekly report) the requests, the
-- same counts; the parameters alone choose, so the other branch is never run.
WITH counts AS (
    SELECT
        compound_id,
        sum(requests)::BIGINT AS requests,
        sum(responded_24h)::BIGINT AS responded_24h,
        sum(resolved)::BIGINT AS resolved,
        sum(followup_answered)::BIGINT AS followup_answered,
        sum(followup_resolved)::BIGINT AS followup_resolved,
        sum(rated)::BIGINT AS rated,
        sum(satisfied)::BIGINT AS satisfied
    FROM rollup_requests_monthly
    WHERE $period_start::DATE = date_trunc('month', $period_start::DATE)
      AND $period_end::DATE = date_trunc('month', $period_end::DATE)
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND month >= $period_start::DATE AND month < $period_end::DATE
    GROUP BY compound_id
    HAVING sum(requests) > 0
    UNION ALL
    SELECT
        compound_id,
        count(*),
        count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR),
        count(resolved_at),
        count(followup_resolved),
        count(*) FILTER (WHERE followup_resolved = 'resolved'),
        count(followup_satisfaction),
        count(*) FILTER (WHERE followup_satisfaction IN ('satisfied', 'basically_satisfied'))
    FROM requests
    WHERE NOT ($period_start::DATE = date_trunc('month', $period_start::DATE)
               AND $period_end::DATE = date_trunc('month', $period_end::DATE))
      AND compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
    GROUP BY compound_id
),
rq AS (
    SELECT
        n.compound_id,
        n.requests,
        n.responded_24h / n.requests AS response_rate,
        n.resolved / n.requests AS closure_rate,
        n.followup_resolved / nullif(n.followup_answered, 0) AS resolution_rate,
        n.satisfied / nullif(n.rated, 0) AS satisfaction_rate,
        n.rated AS rated
    FROM counts n
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
    WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
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
    WHERE c.compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND (rq.compound_id IS NOT NULL OR rp.compound_id IS NOT NULL)
)
SELECT
    CASE WHEN ranked THEN row_number() OVER (PARTITION BY ranked ORDER BY composite_score DESC NULLS LAST,
        rated DESC, compound_id) END AS rank,
    * EXCLUDE (ranked), ranked
FROM scored
ORDER BY ranked DESC, composite_score DESC NULLS LAST, rated DESC, compound_id
