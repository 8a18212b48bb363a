-- @materialized: view
-- @description: Current evaluation results: one row per project, year and stage.
-- @tags: evaluation
-- @column year: year
-- @column project_code: project number
-- @column stage: mid, annual or final
-- @column facility_score: service facilities score, 0–40
-- @column team_score: service team score, 0–20
-- @column activity_score: service activities score, 0–20
-- @column funding_score: funding score, 0–20
-- @column person_times: person-times served (服务人次)
-- @column satisfaction: satisfaction rate, 0–1
-- @column evaluator: evaluating organisation
-- @column volunteers: volunteer person-times the evaluation counted (义工人次, seed 000 §2(2))
-- @column submission_id: submission (raw.submissions) the row was loaded from
-- @column source_file: file the row was loaded from, relative to the inbox root
-- @column source_sheet: sheet of the row (empty for CSV)
-- @column source_row: row number as a spreadsheet shows it (CSV: line)
-- @column warnings: warning codes of the row; NULL when none
-- @test: unique(year, project_code, stage)
-- @test: not_null(year, project_code, stage)
-- @test stage: accepted_values(mid|annual|final)
-- @test facility_score: range(0, 40)
-- @test team_score: range(0, 20)
-- @test activity_score: range(0, 20)
-- @test funding_score: range(0, 20)
-- @test satisfaction: range(0, 1)
-- @test person_times: range(0, )
-- @test volunteers: range(0, )
SELECT year, project_code, stage, facility_score, team_score, activity_score, funding_score,
       person_times, satisfaction, evaluator, volunteers,
       submission_id, source_file, source_sheet, source_row, warnings
FROM raw.evaluations
WHERE superseded_by IS NULL
