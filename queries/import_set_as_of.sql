-- Move the day the data describes ("today" in every figure); the data version changes with it.
INSERT INTO meta (key, value) VALUES ('as_of', strftime($as_of::DATE, '%Y-%m-%d')), ('data_version', $data_version)
ON CONFLICT (key) DO UPDATE SET value = excluded.value
