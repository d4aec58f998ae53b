-- The red-property trend of the compounds in $compound_ids for each month of [$period_start, $period_end):
-- cross-appointed staff, party members serving, joint meetings, committee party share, fee collection.
SELECT
    month,
    sum(cross_appointed_staff) AS cross_appointed_staff,
    sum(party_members_serving) AS party_members_serving,
    sum(joint_meetings) AS joint_meetings,
    avg(committee_party_share) AS committee_party_share,
    round(avg(fee_collection_pct), 1) AS fee_collection_pct
FROM red_property_monthly
WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
  AND month >= $period_start::DATE AND month < $period_end::DATE
GROUP BY month
ORDER BY month
