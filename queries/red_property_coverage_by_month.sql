-- Red property coverage for each reported month of [$period_start, $period_end) in $compound_ids:
-- shares of compounds with a company, a company with a party branch, cross-appointed staff,
-- the share with an owners' committee, the committees' average party share (over the compounds that
-- have one) and the average fee collection (over the compounds with a company).
SELECT
    r.month,
    count(*) AS compounds,
    count(r.company_id) / count(*) AS property_coverage,
    count(*) FILTER (WHERE p.has_party_branch) / count(*) AS party_org_coverage,
    count(*) FILTER (WHERE r.cross_appointed_staff > 0) / count(*) AS cross_appointed_coverage,
    count(*) FILTER (WHERE coalesce(r.has_owners_committee, r.committee_party_share IS NOT NULL)) / count(*)
        AS committee_coverage,
    avg(r.committee_party_share) FILTER (WHERE coalesce(r.has_owners_committee, r.committee_party_share IS NOT NULL))
        AS avg_committee_party_share,
    round(avg(r.fee_collection_pct), 1) AS avg_fee_collection,
    sum(r.joint_meetings)::BIGINT AS joint_meetings
FROM red_property_monthly r
LEFT JOIN property_companies p USING (company_id)
WHERE r.compound_id IN (SELECT unnest(scope($compound_ids)))
  AND r.month >= $period_start::DATE AND r.month < $period_end::DATE
GROUP BY r.month
ORDER BY r.month
