-- The latest $limit import attempts, newest first (the log is the app's own; no compound scope).
SELECT imported_at, table_name, file_name, "rows", status, message, imported_by, file_sha256, import_id
FROM import_log
ORDER BY imported_at DESC, import_id
LIMIT $limit
