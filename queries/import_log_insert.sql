-- Record one import attempt (ok or failed) in import_log.
INSERT INTO import_log (import_id, table_name, file_name, file_sha256, "rows", status, message, imported_at, imported_by)
VALUES ($import_id, $table_name, $file_name, $file_sha256, $rows, $status, $message, $imported_at, $imported_by)
