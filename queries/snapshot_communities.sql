-- Snapshot: the communities of the compounds in $compound_ids.
-- With $all_compounds (an unfiltered snapshot) every row, even of places no compound refers to.
SELECT * FROM communities
WHERE $all_compounds
   OR community_id IN (SELECT community_id FROM compounds WHERE compound_id IN (SELECT unnest(scope($compound_ids))))
ORDER BY community_id
