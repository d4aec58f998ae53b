-- Snapshot: red property monthly rows of the compounds in $compound_ids.
SELECT * FROM red_property_monthly WHERE compound_id IN (SELECT unnest($compound_ids::VARCHAR[])) ORDER BY compound_id, month
