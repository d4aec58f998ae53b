-- Every compound and its community: what a snapshot's --community/--compound choice narrows
-- into the set of compound ids (it defines the scope, so it takes none).
SELECT compound_id, community_id FROM compounds ORDER BY compound_id
