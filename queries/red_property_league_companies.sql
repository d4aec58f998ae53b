-- The property companies' league table for [$period_start, $period_end): the compounds in
-- $compound_ids each served in the period, their party strength, the three rates of the requests
-- received there while it served them (by month received), and their average fee collection.
WITH served AS (
    SELECT compound_id, month, company_id, fee_collection_pct
    FROM red_property_monthly
    WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[]))
      AND month >= $period_start::DATE AND month < $period_end::DATE
      AND company_id IS NOT NULL
),
rq AS (
    SELECT
        s.company_id,
        count(*) AS requests,
        count(*) FILTER (WHERE r.responded_at <= r.received_at + INTERVAL 24 HOUR) / count(*) AS response_rate,
        count(r.resolved_at) / count(*) AS resolution_rate,
        count(*) FILTER (WHERE r.satisfaction >= 4) / nullif(count(r.satisfaction), 0) AS satisfaction_rate,
        count(r.satisfaction) AS rated
    FROM requests r
    JOIN served s ON s.compound_id = r.compound_id AND s.month = date_trunc('month', r.received_at)::DATE
    WHERE r.received_at >= $period_start::DATE AND r.received_at < $period_end::DATE
    GROUP BY s.company_id
),
fees AS (
    SELECT company_id, count(DISTINCT compound_id) AS compounds, round(avg(fee_collection_pct), 1) AS avg_fee_collection
    FROM served
    GROUP BY company_id
)
SELECT
    p.company_id,
    p.name AS company,
    rq.satisfaction_rate,
    rq.resolution_rate,
    rq.response_rate,
    coalesce(rq.requests, 0) AS requests,
    coalesce(rq.rated, 0) AS rated,
    f.compounds,
    f.avg_fee_collection,
    p.has_party_branch,
    p.party_members,
    p.kind
FROM fees f
JOIN property_companies p USING (company_id)
LEFT JOIN rq USING (company_id)
ORDER BY rq.satisfaction_rate DESC NULLS LAST, rq.resolution_rate DESC NULLS LAST, p.company_id
