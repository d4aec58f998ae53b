-- Red property coverage in the latest reported month on or before $as_at, and the period's meetings.
-- A compound has an owners' committee (业委会) when has_owners_committee says so or, left blank, when a
-- committee party share is given. 业委会组建率 = compounds with one / compounds; the party share is
-- averaged over the compounds that have one.
WITH scoped AS (
    SELECT * FROM red_property_monthly WHERE compound_id IN (SELECT unnest(scope($compound_ids)))
),
latest AS (
    SELECT s.*, p.has_party_branch,
        coalesce(s.has_owners_committee, s.committee_party_share IS NOT NULL) AS has_committee
    FROM scoped s LEFT JOIN property_companies p USING (company_id)
    WHERE s.month = (SELECT max(month) FROM scoped WHERE month <= $as_at::DATE)
)
SELECT
    count(company_id) / nullif(count(*), 0) AS property_coverage,
    count(*) FILTER (WHERE has_party_branch) / nullif(count(*), 0) AS party_org_coverage,
    count(*) FILTER (WHERE cross_appointed_staff > 0) / nullif(count(*), 0) AS cross_appointed_coverage,
    count(*) FILTER (WHERE has_committee) / nullif(count(*), 0) AS committee_coverage,
    avg(committee_party_share) FILTER (WHERE has_committee) AS committee_party_share,
    avg(fee_collection_pct) / 100 AS fee_collection,
    coalesce(sum(cross_appointed_staff), 0) AS cross_appointed_staff,
    (SELECT coalesce(sum(joint_meetings), 0) FROM scoped
      WHERE month >= $period_start::DATE AND month < $period_end::DATE) AS joint_meetings
FROM latest
