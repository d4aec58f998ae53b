-- Snapshot: the metadata (as_of, data_version), whole.
SELECT * FROM meta ORDER BY key
