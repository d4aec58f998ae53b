-- Snapshot: redemptions of the volunteers of the compounds in $compound_ids.
SELECT * FROM redemptions
WHERE volunteer_id IN (SELECT volunteer_id FROM volunteers WHERE compound_id IN (SELECT unnest(scope($compound_ids))))
ORDER BY redemption_id
