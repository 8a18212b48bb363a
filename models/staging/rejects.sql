-- @materialized: view
-- @description: Every rejected or warned source row and problem that still stands: a problem of a
--   row that waited for its project or community and has since loaded (raw.rejects.released_by) is
--   kept in raw.rejects only.
-- @tags: ops
-- @column submission_id: submission of the row
-- @column file: file of the row
-- @column sheet: sheet (empty for CSV)
-- @column row: row as a spreadsheet shows it (CSV: line where the record starts)
-- @column column: the DOMAIN.md column name
-- @column header: the header text as the district wrote it
-- @column letter: spreadsheet column letter
-- @column value: the value as written
-- @column severity: error (row not loaded) or warning (row loaded)
-- @column code: stable English code
-- @column message: message in English
-- @column message_zh: message in Chinese
-- @test: not_null(submission_id, file, severity, code)
-- @test severity: accepted_values(error|warning)
-- @test submission_id: relationships(staging.submissions.submission_id)
SELECT submission_id, file, sheet, "row", "column", header, letter, value, severity, code, message, message_zh
FROM raw.rejects
WHERE released_by IS NULL
