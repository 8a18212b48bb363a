-- @materialized: view
-- @description: Current roster rows (latest wins, DOMAIN §3): one row per community and year.
-- @tags: roster
-- @column year: roster year
-- @column district: district (区)
-- @column street: street or town (街道/镇)
-- @column community_code: 12-digit statistical code (统计用区划代码)
-- @column community_name: community or village name
-- @column urban_rural: urban (社区) or rural (村)
-- @column resident_population: resident population (常住人口)
-- @column registered_population: registered population (户籍人口); NULL when not given
-- @column area_km2: area in km²; NULL when not given
-- @column submission_id: submission (raw.submissions) the row was loaded from
-- @column source_file: file the row was loaded from, relative to the inbox root
-- @column source_sheet: sheet of the row (empty for CSV)
-- @column source_row: row number as a spreadsheet shows it (CSV: line)
-- @column warnings: warning codes of the row, comma-separated; NULL when none
-- @test: unique(year, community_code)
-- @test: not_null(year, district, community_code, urban_rural, resident_population, submission_id)
-- @test urban_rural: accepted_values(urban|rural)
-- @test resident_population: range(0, )
-- @test area_km2: range(0, )
SELECT year, district, street, community_code, community_name, urban_rural,
       resident_population, registered_population, area_km2,
       submission_id, source_file, source_sheet, source_row, warnings
FROM raw.communities
WHERE superseded_by IS NULL
