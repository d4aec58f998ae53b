-- The facts of the compounds in $compound_ids: age, size, residents, plan batch, property company, community.
SELECT
    c.compound_id, c.name AS compound, m.name AS community, c.built_year, c.buildings, c.units, c.households,
    c.elderly_share, c.structure, c.plan_batch, lower(c.in_renovation_plan::VARCHAR) AS in_renovation_plan,
    p.name AS company, p.kind AS company_kind, lower(p.has_party_branch::VARCHAR) AS has_party_branch
FROM compounds c
JOIN communities m USING (community_id)
LEFT JOIN property_companies p USING (company_id)
WHERE c.compound_id IN (SELECT unnest(scope($compound_ids)))
ORDER BY c.compound_id
