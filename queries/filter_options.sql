-- The communities and compounds the filter may offer, within $compound_ids (the user's scope).
SELECT c.compound_id, c.name AS compound, c.community_id, m.name AS community
FROM compounds c JOIN communities m USING (community_id)
WHERE c.compound_id IN (SELECT unnest(scope($compound_ids)))
ORDER BY c.community_id, c.compound_id
