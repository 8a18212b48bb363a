-- @materialized: table
-- @description: How each project spent its funding (DOMAIN §6, seed 000 §7(1)): sums over the
--   year's quarters (zeros when none). staff_share is of after-tax funding (contract_amount − tax);
--   the floors are compared in DECIMAL, so a share of exactly the floor passes. A surplus carries
--   over to the next year of the same project_code ("项目节余经费……顺延至下年度运营经费"):
--   carried_in = max(0, surplus of year − 1), 0 without a row that year (a gap breaks the chain),
--   and surplus = contract_amount + carried_in − spent_total, chained year after year in exact
--   DECIMAL. The shares keep contract_amount as their base.
-- @tags: finance
-- @column year: year
-- @column project_code: project number
-- @column district: district
-- @column contract_amount: contract amount, yuan
-- @column spent_total: everything spent, tax included, yuan
-- @column staff_pay: staff pay and benefits, yuan
-- @column office_site: office facilities and site operations, yuan
-- @column service_ops: service project operations, yuan
-- @column management: management fee, yuan
-- @column tax: tax, yuan
-- @column staff_share: staff_pay / (contract_amount − tax)
-- @column operations_share: (office_site + service_ops) / contract_amount
-- @column management_tax_share: (management + tax) / contract_amount
-- @column surplus: contract_amount + carried_in − spent_total, yuan; carried to the next year when positive (negative: overspent)
-- @column staff_share_ok: staff_share ≥ staff_pay_share_min
-- @column operations_share_ok: operations_share ≥ operations_share_min
-- @column carried_in: max(0, surplus of the same project_code in year − 1), yuan; 0 without a row that year
-- @column overspent: surplus < 0
-- @test: unique(year, project_code)
-- @test: not_null(year, project_code, district, contract_amount, spent_total, staff_pay, office_site, service_ops, management, tax, surplus, staff_share_ok, operations_share_ok, carried_in, overspent)
-- @test carried_in: range(0, )
-- @assert parts_add_up: SELECT year, project_code FROM marts.fund_use
--   WHERE spent_total <> staff_pay + office_site + service_ops + management + tax
-- @assert surplus_adds_up: SELECT year, project_code, contract_amount, carried_in, spent_total, surplus
--   FROM marts.fund_use WHERE surplus <> contract_amount + carried_in - spent_total
-- @assert carried_from_year_before: SELECT f.year, f.project_code, f.carried_in, b.surplus AS surplus_before
--   FROM marts.fund_use f
--   LEFT JOIN marts.fund_use b ON b.project_code = f.project_code AND b.year = f.year - 1
--   WHERE f.carried_in <> greatest(coalesce(b.surplus, 0), 0)
-- @assert overspent_iff_negative: SELECT year, project_code, surplus, overspent FROM marts.fund_use
--   WHERE overspent <> (surplus < 0)
WITH RECURSIVE spent AS (
    SELECT year, project_code,
           sum(amount) AS spent_total,
           sum(CASE WHEN category = 'staff_pay' THEN amount ELSE 0 END) AS staff_pay,
           sum(CASE WHEN category = 'office_site' THEN amount ELSE 0 END) AS office_site,
           sum(CASE WHEN category = 'service_ops' THEN amount ELSE 0 END) AS service_ops,
           sum(CASE WHEN category = 'management' THEN amount ELSE 0 END) AS management,
           sum(CASE WHEN category = 'tax' THEN amount ELSE 0 END) AS tax
    FROM staging.expenditures
    GROUP BY year, project_code
),
f AS (
    SELECT py.year, py.project_code, py.district, py.contract_amount,
           CAST(coalesce(s.spent_total, 0) AS DECIMAL(18,2)) AS spent_total,
           CAST(coalesce(s.staff_pay, 0) AS DECIMAL(18,2)) AS staff_pay,
           CAST(coalesce(s.office_site, 0) AS DECIMAL(18,2)) AS office_site,
           CAST(coalesce(s.service_ops, 0) AS DECIMAL(18,2)) AS service_ops,
           CAST(coalesce(s.management, 0) AS DECIMAL(18,2)) AS management,
           CAST(coalesce(s.tax, 0) AS DECIMAL(18,2)) AS tax
    FROM intermediate.project_years py
    LEFT JOIN spent s ON s.year = py.year AND s.project_code = py.project_code
),
-- The carried surplus, year after year: a chain starts at a year without a row of the same
-- project_code the year before and goes on while the next year has one.
chain (year, project_code, carried_in, surplus) AS (
    SELECT f.year, f.project_code,
           CAST(0 AS DECIMAL(18,2)),
           CAST(f.contract_amount - f.spent_total AS DECIMAL(18,2))
    FROM f
    WHERE NOT EXISTS (SELECT 1 FROM f b WHERE b.project_code = f.project_code AND b.year = f.year - 1)
    UNION ALL
    SELECT f.year, f.project_code,
           CAST(greatest(c.surplus, 0) AS DECIMAL(18,2)),
           CAST(f.contract_amount + greatest(c.surplus, 0) - f.spent_total AS DECIMAL(18,2))
    FROM chain c
    JOIN f ON f.project_code = c.project_code AND f.year = c.year + 1
)
SELECT f.year, f.project_code, f.district, f.contract_amount, f.spent_total,
       f.staff_pay, f.office_site, f.service_ops, f.management, f.tax,
       CAST(f.staff_pay AS DOUBLE PRECISION) / CASE WHEN f.contract_amount - f.tax <> 0 THEN f.contract_amount - f.tax END AS staff_share,
       CAST(f.office_site + f.service_ops AS DOUBLE PRECISION) / f.contract_amount AS operations_share,
       CAST(f.management + f.tax AS DOUBLE PRECISION) / f.contract_amount AS management_tax_share,
       c.surplus,
       f.staff_pay >= p.staff_pay_share_min * (f.contract_amount - f.tax) AS staff_share_ok,
       f.office_site + f.service_ops >= p.operations_share_min * f.contract_amount AS operations_share_ok,
       c.carried_in,
       c.surplus < 0 AS overspent
FROM f
JOIN chain c ON c.year = f.year AND c.project_code = f.project_code
CROSS JOIN staging.params p
