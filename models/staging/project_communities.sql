-- @materialized: view
-- @description: Current covered communities of each project: one row per project, year and
--   community listed in its community_codes. Shares its project row's lineage.
-- @tags: projects, roster
-- @column year: project year
-- @column project_code: project number
-- @column district: the project's district
-- @column community_code: a covered community
-- @column submission_id: submission (raw.submissions) the row was loaded from
-- @column source_file: file the row was loaded from, relative to the inbox root
-- @column source_sheet: sheet of the row (empty for CSV)
-- @column source_row: row number as a spreadsheet shows it (CSV: line)
-- @test: unique(year, project_code, community_code)
-- @test: not_null(year, project_code, community_code)
-- @assert project_exists: SELECT pc.year, pc.project_code FROM staging.project_communities pc
--   WHERE NOT EXISTS (SELECT 1 FROM staging.projects p WHERE p.year = pc.year AND p.project_code = pc.project_code)
-- @assert community_in_roster: SELECT pc.year, pc.project_code, pc.community_code FROM staging.project_communities pc
--   WHERE NOT EXISTS (SELECT 1 FROM staging.communities c WHERE c.year = pc.year AND c.community_code = pc.community_code)
SELECT year, project_code, district, community_code,
       submission_id, source_file, source_sheet, source_row
FROM raw.project_communities
WHERE superseded_by IS NULL
