-- The compounds an account may see: those of its communities ($community_ids). Every other
-- query is then restricted to (a subset of) this set through $compound_ids.
SELECT compound_id FROM compounds
WHERE community_id IN (SELECT unnest($community_ids::VARCHAR[]))
ORDER BY compound_id
