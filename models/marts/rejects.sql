-- @materialized: table
-- @description: One row per rejected or warned source row and problem (DOMAIN §6). error rows were
--   not loaded; warning rows were, with the warning code on the row.
-- @tags: ops
-- @column submission_id: submission of the row
-- @column file: file of the row
-- @column sheet: sheet (empty for CSV)
-- @column row: row as a spreadsheet shows it; for CSV the line where the record starts
-- @column column: the DOMAIN.md column name
-- @column value: the value as written
-- @column severity: error or warning
-- @column code: stable English code (missing_required, invalid_code, … funding_mismatch)
-- @column message_zh: the reason, in Chinese
-- @column header: the header text as the district wrote it
-- @column letter: spreadsheet column letter
-- @test: not_null(submission_id, file, sheet, row, column, severity, code, message_zh)
-- @test severity: accepted_values(error|warning)
-- @test submission_id: relationships(marts.submissions.submission_id)
SELECT submission_id, file, sheet, "row", "column", value, severity, code, message_zh, header, letter
FROM staging.rejects
