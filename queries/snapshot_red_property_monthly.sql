-- Snapshot: red property monthly rows of the compounds in $compound_ids.
SELECT * FROM red_property_monthly WHERE compound_id IN (SELECT unnest(scope($compound_ids))) ORDER BY compound_id, month
