-- @materialized: view
-- @description: Every current loaded row of every kind, with the year, district, project and
--   community it belongs to and its lineage: the base of marts.data_quality and
--   intermediate.lineage. Rows of a project take the district of that year's project; facility
--   rows the district of that year's roster.
-- @tags: lineage, ops
-- @column kind: submission kind (communities, projects, staff, expenditures, activities, evaluations, facilities)
-- @column year: year of the row
-- @column district: district the row belongs to (NULL if its project or community is unknown)
-- @column project_code: project of the row (NULL for roster and facility rows)
-- @column community_code: community of the row (NULL for project rows)
-- @column submission_id: submission the row was loaded from
-- @column source_file: file
-- @column source_sheet: sheet
-- @column source_row: row
-- @column warned: the row carries a warning
-- @test: not_null(kind, year, submission_id)
SELECT 'communities' AS kind, c.year, c.district, CAST(NULL AS VARCHAR) AS project_code, c.community_code,
       c.submission_id, c.source_file, c.source_sheet, c.source_row,
       coalesce(c.warnings, '') <> '' AS warned
FROM staging.communities c
UNION ALL
SELECT 'projects', p.year, p.district, p.project_code, NULL,
       p.submission_id, p.source_file, p.source_sheet, p.source_row, coalesce(p.warnings, '') <> ''
FROM staging.projects p
UNION ALL
SELECT 'staff', s.year, p.district, s.project_code, NULL,
       s.submission_id, s.source_file, s.source_sheet, s.source_row, coalesce(s.warnings, '') <> ''
FROM staging.staff s
LEFT JOIN staging.projects p ON p.year = s.year AND p.project_code = s.project_code
UNION ALL
SELECT 'expenditures', e.year, p.district, e.project_code, NULL,
       e.submission_id, e.source_file, e.source_sheet, e.source_row, coalesce(e.warnings, '') <> ''
FROM staging.expenditures e
LEFT JOIN staging.projects p ON p.year = e.year AND p.project_code = e.project_code
UNION ALL
SELECT 'activities', a.year, p.district, a.project_code, NULL,
       a.submission_id, a.source_file, a.source_sheet, a.source_row, coalesce(a.warnings, '') <> ''
FROM staging.activities a
LEFT JOIN staging.projects p ON p.year = a.year AND p.project_code = a.project_code
UNION ALL
SELECT 'evaluations', v.year, p.district, v.project_code, NULL,
       v.submission_id, v.source_file, v.source_sheet, v.source_row, coalesce(v.warnings, '') <> ''
FROM staging.evaluations v
LEFT JOIN staging.projects p ON p.year = v.year AND p.project_code = v.project_code
UNION ALL
SELECT 'facilities', f.year, c.district, NULL, f.community_code,
       f.submission_id, f.source_file, f.source_sheet, f.source_row, coalesce(f.warnings, '') <> ''
FROM staging.facilities f
LEFT JOIN staging.communities c ON c.year = f.year AND c.community_code = f.community_code
