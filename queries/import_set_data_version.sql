-- A successful import gives the data a new version, so every cached figure is recomputed.
INSERT INTO meta (key, value) VALUES ('data_version', $data_version)
ON CONFLICT (key) DO UPDATE SET value = excluded.value
