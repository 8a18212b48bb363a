-- @materialized: view
-- @description: Every file received, whatever became of it (loaded, duplicate, quarantined).
-- @tags: ops
-- @column submission_id: submission id
-- @column file: path relative to the inbox root, /-separated
-- @column sha256: SHA-256 of the file's bytes
-- @column size_bytes: file size
-- @column received_at: when the file was ingested
-- @column status: loaded, duplicate or quarantined
-- @column format: xlsx or csv
-- @column kinds: submission kinds found, comma-separated
-- @column district: district the file is from, when known
-- @column rows_read: data rows read
-- @column rows_loaded: rows loaded
-- @column rows_rejected: rows rejected
-- @column rows_warned: rows loaded with a warning
-- @column reason: why quarantined (stable code: detail)
-- @column reason_zh: why quarantined, in Chinese
-- @column duplicate_of: the submission this one duplicates
-- @test submission_id: not_null, unique
-- @test status: not_null, accepted_values(loaded|duplicate|quarantined|skipped)
SELECT submission_id, file, sha256, size_bytes, received_at, status, format, kinds, district,
       rows_read, rows_loaded, rows_rejected, rows_warned, reason, reason_zh, duplicate_of
FROM raw.submissions
