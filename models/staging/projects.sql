-- @materialized: view
-- @description: Current service projects (latest wins): one row per project and year. Blank
--   funding columns read as 0 (DOMAIN §2).
-- @tags: projects
-- @column year: project year
-- @column project_code: project number (项目编号)
-- @column district: district that contracted the project
-- @column project_name: project name
-- @column project_type: party_mass_centre, comprehensive_centre or socialised
-- @column provider: provider organisation (承接机构)
-- @column provider_credit_code: provider's unified social credit code
-- @column community_codes: covered community codes, ;-separated (one row each in staging.project_communities)
-- @column contract_start: contract start date
-- @column contract_end: contract end date
-- @column contract_amount: contract amount for the year, yuan
-- @column city_funding: city funding, yuan (blank = 0)
-- @column district_funding: district funding, yuan (blank = 0)
-- @column street_funding: street funding, yuan (blank = 0)
-- @column submission_id: submission (raw.submissions) the row was loaded from
-- @column source_file: file the row was loaded from, relative to the inbox root
-- @column source_sheet: sheet of the row (empty for CSV)
-- @column source_row: row number as a spreadsheet shows it (CSV: line)
-- @column warnings: warning codes of the row (e.g. funding_mismatch); NULL when none
-- @test: unique(year, project_code)
-- @test: not_null(year, project_code, district, contract_start, contract_end, contract_amount)
-- @test project_type: accepted_values(party_mass_centre|comprehensive_centre|socialised)
-- @test contract_amount: range(0, )
-- @assert end_not_before_start: SELECT year, project_code, contract_start, contract_end
--   FROM staging.projects WHERE contract_end < contract_start
SELECT year, project_code, district, project_name, project_type, provider, provider_credit_code,
       community_codes, contract_start, contract_end, contract_amount,
       coalesce(city_funding, 0) AS city_funding,
       coalesce(district_funding, 0) AS district_funding,
       coalesce(street_funding, 0) AS street_funding,
       submission_id, source_file, source_sheet, source_row, warnings
FROM raw.projects
WHERE superseded_by IS NULL
