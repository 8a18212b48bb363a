-- @materialized: view
-- @description: Current function rooms of community service centres: one row per room row
--   submitted (a room may be listed twice).
-- @tags: facilities
-- @column year: year
-- @column community_code: community of the centre
-- @column room: room name (policy.rooms, or an expansion room)
-- @column area_m2: floor area in m²
-- @column submission_id: submission (raw.submissions) the row was loaded from
-- @column source_file: file the row was loaded from, relative to the inbox root
-- @column source_sheet: sheet of the row (empty for CSV)
-- @column source_row: row number as a spreadsheet shows it (CSV: line)
-- @column warnings: warning codes of the row; NULL when none
-- @test: not_null(year, community_code, room)
-- @test area_m2: range(0, )
SELECT year, community_code, room, area_m2,
       submission_id, source_file, source_sheet, source_row, warnings
FROM raw.facilities
WHERE superseded_by IS NULL
