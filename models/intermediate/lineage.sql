-- @materialized: view
-- @description: Which loaded rows (and so which submissions and files) are behind a mart row.
--   Every current row appears under its own year, district, project or community; roster and
--   facility rows appear once more under each project of that year covering the community, and
--   each covered community of a project appears as a project_communities row. So
--   `WHERE year = … AND project_code = …` gives the rows behind a project's row in staffing,
--   project_costs, fund_use, evaluation_scores, service_mix, payments and site_subsidies;
--   `WHERE year = … AND district = …` those behind coverage, city_rewards and data_quality;
--   `WHERE year = … AND community_code = … AND kind = 'facilities'` those behind
--   facility_compliance. See models/README.md, "Lineage".
-- @tags: lineage
-- @column kind: submission kind of the row, or project_communities
-- @column year: year
-- @column district: district
-- @column project_code: project the row is behind (NULL for rows of a community not covered)
-- @column community_code: community the row is about
-- @column submission_id: submission the row was loaded from
-- @column source_file: file
-- @column source_sheet: sheet
-- @column source_row: row
-- @test: not_null(kind, year, submission_id, source_file)
SELECT kind, year, district, project_code, community_code,
       submission_id, source_file, source_sheet, source_row
FROM intermediate.source_rows
UNION ALL
SELECT 'project_communities', pc.year, pc.district, pc.project_code, pc.community_code,
       pc.submission_id, pc.source_file, pc.source_sheet, pc.source_row
FROM staging.project_communities pc
UNION ALL
SELECT s.kind, s.year, s.district, pc.project_code, s.community_code,
       s.submission_id, s.source_file, s.source_sheet, s.source_row
FROM intermediate.source_rows s
JOIN staging.project_communities pc ON pc.year = s.year AND pc.community_code = s.community_code
WHERE s.kind IN ('communities', 'facilities')
