-- @materialized: view
-- @description: Current service activity log: one row per activity. Its year is the year of its date.
-- @tags: services
-- @column year: year of activity_date
-- @column project_code: project number
-- @column activity_date: date of the activity
-- @column service_item: service catalogue sub-item code (policy.service_catalogue)
-- @column activity_name: activity name
-- @column participants: person-times served (服务人次)
-- @column volunteers: volunteer person-times (义工人次)
-- @column submission_id: submission (raw.submissions) the row was loaded from
-- @column source_file: file the row was loaded from, relative to the inbox root
-- @column source_sheet: sheet of the row (empty for CSV)
-- @column source_row: row number as a spreadsheet shows it (CSV: line)
-- @column warnings: warning codes of the row; NULL when none
-- @test: not_null(year, project_code, activity_date, service_item, participants)
-- @test participants: range(0, )
-- @test service_item: relationships(policy.service_catalogue.sub_item)
-- @assert year_is_date_year: SELECT year, activity_date FROM staging.activities
--   WHERE year <> EXTRACT(year FROM activity_date)
SELECT year, project_code, activity_date, service_item, activity_name, participants, volunteers,
       submission_id, source_file, source_sheet, source_row, warnings
FROM raw.activities
WHERE superseded_by IS NULL
