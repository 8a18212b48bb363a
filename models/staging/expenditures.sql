-- @materialized: view
-- @description: Current expenditures, long form: one row per project, year, quarter and category.
-- @tags: finance
-- @column year: year
-- @column project_code: project number
-- @column quarter: quarter 1–4
-- @column category: staff_pay, office_site, service_ops, management or tax
-- @column amount: amount spent, yuan
-- @column submission_id: submission (raw.submissions) the row was loaded from
-- @column source_file: file the row was loaded from, relative to the inbox root
-- @column source_sheet: sheet of the row (empty for CSV)
-- @column source_row: row number as a spreadsheet shows it (CSV: line)
-- @column warnings: warning codes of the row; NULL when none
-- @test: unique(year, project_code, quarter, category)
-- @test: not_null(year, project_code, quarter, category, amount)
-- @test quarter: range(1, 4)
-- @test category: accepted_values(staff_pay|office_site|service_ops|management|tax)
-- @test amount: range(0, )
SELECT year, project_code, quarter, category, amount,
       submission_id, source_file, source_sheet, source_row, warnings
FROM raw.expenditures
WHERE superseded_by IS NULL
