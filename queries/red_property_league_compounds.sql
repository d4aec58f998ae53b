-- The compounds' league table for [$period_start, $period_end): the three rates of the requests
-- received in the period (the same rules as requests_by_compound.sql) beside the period's red
-- property figures (staffing in the latest reported month on or before $as_at; meetings summed,
-- fee collection averaged over the period's months). Best satisfaction first (then resolution, then the most rated).
WITH rq AS (
    SELECT
        compound_id,
        count(*) AS requests,
        count(*) FILTER (WHERE responded_at <= received_at + INTERVAL 24 HOUR) / count(*) AS response_rate,
        count(resolved_at) / count(*) AS resolution_rate,
        count(*) FILTER (WHERE satisfaction >= 4) / nullif(count(satisfaction), 0) AS satisfaction_rate,
        count(satisfaction) AS rated
    FROM requests
    WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND received_at >= $period_start::DATE AND received_at < $period_end::DATE
    GROUP BY compound_id
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
)
SELECT
    c.compound_id,
    c.name AS compound,
    rq.satisfaction_rate,
    rq.resolution_rate,
    rq.response_rate,
    coalesce(rq.requests, 0) AS requests,
    coalesce(rq.rated, 0) AS rated,
    p.name AS company,
    rp.committee_party_share,
    rp.cross_appointed_staff,
    rp.party_members_serving,
    rp.joint_meetings,
    rp.avg_fee_collection,
    m.name AS community
FROM compounds c
JOIN communities m USING (community_id)
LEFT JOIN rq USING (compound_id)
LEFT JOIN rp USING (compound_id)
LEFT JOIN property_companies p ON p.company_id = rp.company_id
WHERE c.compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
  AND (rq.compound_id IS NOT NULL OR rp.compound_id IS NOT NULL)
ORDER BY rq.satisfaction_rate DESC NULLS LAST, rq.resolution_rate DESC NULLS LAST, rated DESC, c.compound_id
