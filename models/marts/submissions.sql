-- @materialized: table
-- @description: One row per file received (DOMAIN §6), whatever became of it.
-- @tags: ops
-- @column submission_id: submission id
-- @column file: path relative to the inbox root, /-separated
-- @column sha256: SHA-256 of the file's bytes
-- @column received_at: when it was ingested
-- @column status: loaded, duplicate, quarantined, or skipped (an inbox entry that is not a regular file: a link, a pipe, a folder, a hidden or lock file)
-- @column kinds: kinds found, comma-separated
-- @column district: district the file is from, when known
-- @column rows_loaded: rows loaded
-- @column rows_rejected: rows rejected
-- @column rows_warned: rows loaded with a warning
-- @column reason: why quarantined
-- @test submission_id: not_null, unique
-- @test: not_null(file, sha256, received_at, status)
-- @test status: accepted_values(loaded|duplicate|quarantined|skipped)
SELECT submission_id, file, sha256, received_at, status, kinds, district,
       rows_loaded, rows_rejected, rows_warned, reason
FROM staging.submissions
