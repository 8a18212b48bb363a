-- @materialized: view
-- @description: Current staff rosters: one row per person, project and year. Names stay in the
--   raw layer (DOMAIN §5); a person is matched across projects by id_number_hash.
-- @tags: staffing
-- @column year: roster year
-- @column project_code: project number
-- @column id_number_masked: ID number, first 6 and last 4 characters only
-- @column id_number_hash: keyed hash of the ID number (HMAC-SHA256)
-- @column role: lead, social_worker, assistant or supervisor
-- @column registered_sw: registered social worker
-- @column sw_level: none, assistant, intermediate or senior
-- @column party_member: party member (NULL when not given)
-- @column full_time: full-time (NULL when not given)
-- @column annual_cost: yearly staff cost, yuan
-- @column submission_id: submission (raw.submissions) the row was loaded from
-- @column source_file: file the row was loaded from, relative to the inbox root
-- @column source_sheet: sheet of the row (empty for CSV)
-- @column source_row: row number as a spreadsheet shows it (CSV: line)
-- @column warnings: warning codes of the row; NULL when none
-- @test: not_null(year, project_code, registered_sw)
-- @test role: accepted_values(lead|social_worker|assistant|supervisor)
-- @test sw_level: accepted_values(none|assistant|intermediate|senior)
-- @assert project_exists: SELECT s.year, s.project_code FROM staging.staff s
--   WHERE NOT EXISTS (SELECT 1 FROM staging.projects p WHERE p.year = s.year AND p.project_code = s.project_code)
SELECT year, project_code, id_number_masked, id_number_hash, role, registered_sw, sw_level,
       party_member, full_time, annual_cost,
       submission_id, source_file, source_sheet, source_row, warnings
FROM raw.staff
WHERE superseded_by IS NULL
