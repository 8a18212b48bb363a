-- @materialized: table
-- @description: Each project's contract against its funding standard (DOMAIN §6, seed 000
--   §2(1)); the standard is computed in intermediate.project_years.
-- @tags: finance, staffing
-- @column year: year
-- @column project_code: project number
-- @column district: district
-- @column contract_amount: contract amount, yuan
-- @column full_time_staff: full-time staff, supervisors aside
-- @column registered_social_workers: of them, registered social workers
-- @column cost_per_worker: contract_amount / full_time_staff, yuan, exact and rounded to the fen half away from zero (NULL without full-time staff)
-- @column large_community: any covered community is large (a blank area is not large)
-- @column standard_amount: base_standard_amount, plus for a large community extra_social_worker_cost × extra_sw + extra_assistant_cost × extra_other
-- @column within_standard: contract_amount ≤ standard_amount
-- @test: unique(year, project_code)
-- @test: not_null(year, project_code, district, contract_amount, full_time_staff, registered_social_workers, large_community, standard_amount, within_standard)
-- @test cost_per_worker: range(0, )
SELECT year, project_code, district, contract_amount, full_time_staff, registered_social_workers,
       -- In integer fen, rounded half away from zero: a division of decimals is DOUBLE in DuckDB.
       CAST(CAST(sign(CAST(contract_amount * 100 AS HUGEINT))
                 * ((abs(CAST(contract_amount * 100 AS HUGEINT)) + abs(CAST(contract_amount * 100 AS HUGEINT)) + full_time_staff)
                    // CASE WHEN full_time_staff > 0 THEN full_time_staff + full_time_staff END) AS DECIMAL(38,0)) * 0.01
            AS DECIMAL(18,2)) AS cost_per_worker,
       large_community,
       standard_amount,
       contract_amount <= standard_amount AS within_standard
FROM intermediate.project_years
