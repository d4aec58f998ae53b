-- Snapshot: partner units of the chosen compounds' communities, plus those that contributed to
-- a chosen compound or whose staff volunteer there.
-- With $all_compounds (an unfiltered snapshot) every row, even of places no compound refers to.
SELECT * FROM partner_units
WHERE $all_compounds
   OR community_id IN (SELECT community_id FROM compounds WHERE compound_id IN (SELECT unnest(scope($compound_ids))))
   OR unit_id IN (SELECT unit_id FROM contributions WHERE compound_id IN (SELECT unnest(scope($compound_ids))))
   OR unit_id IN (SELECT unit_id FROM volunteers WHERE compound_id IN (SELECT unnest(scope($compound_ids))))
ORDER BY unit_id
