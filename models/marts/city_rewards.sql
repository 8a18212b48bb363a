-- @materialized: table
-- @description: The yearly city reward allocation to districts (DOMAIN §6, seed 001 §(十二)). A
--   project is eligible when its annual evaluation of the year passed; its spending is
--   min(district_funding + street_funding, standard_amount). entitlement = reward rate of the year
--   (policy.reward_rates) × eligible spending; with a budget for the year (policy.reward_budget)
--   every entitlement is scaled by min(1, budget / Σ entitlement); allocation = round(entitlement ×
--   scale, 2), half away from zero, computed exactly (in DECIMAL and integer fen, never in floating
--   point), so it is the exact rational result rounded to the fen. Every district with a project
--   that year has a row.
-- @tags: rewards, finance, planning
-- @column year: year
-- @column district: district
-- @column eligible_projects: projects whose annual evaluation of the year passed
-- @column eligible_spending: Σ min(district_funding + street_funding, standard_amount) over eligible projects, yuan
-- @column reward_rate: the year's reward rate
-- @column entitlement: reward_rate × eligible_spending, yuan (rounded to the fen)
-- @column budget: the year's reward budget, yuan; NULL without one
-- @column scale: min(1, budget / Σ entitlement over districts); 1 without a budget (a ratio, shown as DOUBLE; the allocation uses the exact quotient)
-- @column allocation: round(entitlement × scale, 2), half away from zero, of the exact entitlement and scale, yuan
-- @column share: allocation / Σ allocation of the year (0 when that sum is 0)
-- @test: unique(year, district)
-- @test: not_null(year, district, eligible_projects, eligible_spending, reward_rate, entitlement, scale, allocation, share)
-- @test scale: range(0, 1)
-- @test share: range(0, 1)
-- @assert allocations_within_budget: SELECT year, sum(allocation) AS allocated, max(budget) AS budget
--   FROM marts.city_rewards GROUP BY year HAVING sum(allocation) > max(budget) + 0.01 * count(*)
WITH projects AS (
    SELECT py.year, py.district,
           coalesce(es.passed, FALSE) AS eligible,
           least(py.local_funding, py.standard_amount) AS spending
    FROM intermediate.project_years py
    LEFT JOIN marts.evaluation_scores es
           ON es.year = py.year AND es.project_code = py.project_code AND es.stage = 'annual'
),
districts AS (
    SELECT year, district,
           count(CASE WHEN eligible THEN 1 END) AS eligible_projects,
           CAST(coalesce(sum(CASE WHEN eligible THEN spending END), 0) AS DECIMAL(18,2)) AS eligible_spending
    FROM projects
    GROUP BY year, district
),
entitled AS (
    SELECT d.*, r.rate,
           CAST(r.rate * d.eligible_spending AS DECIMAL(38,11)) AS entitlement_exact
    FROM districts d
    LEFT JOIN policy.reward_rates r
           ON d.year >= r.year_from AND (r.year_to IS NULL OR d.year <= r.year_to)
),
budgeted AS (
    SELECT e.*, b.budget,
           sum(e.entitlement_exact) OVER (PARTITION BY e.year) AS total_entitlement
    FROM entitled e
    LEFT JOIN policy.reward_budget b ON b.year = e.year
),
-- With a budget below Σ entitlement, entitlement × scale = rate × spending × budget /
-- (rate × Σ spending) = spending × budget / Σ spending (one rate a year): computed exactly in
-- integer fen (HUGEINT), rounded half away from zero, then back to yuan. No DOUBLE on the way.
fen AS (
    SELECT x.*,
           x.budget IS NULL OR x.budget >= x.total_entitlement AS unscaled,
           CAST(x.eligible_spending * 100 AS HUGEINT) AS spending_fen,
           CAST(x.budget * 100 AS HUGEINT) AS budget_fen,
           sum(CAST(x.eligible_spending * 100 AS HUGEINT)) OVER (PARTITION BY x.year) AS total_spending_fen
    FROM budgeted x
),
allocated AS (
    SELECT f.*,
           CASE WHEN f.unscaled
                THEN CAST(round(f.entitlement_exact, 2) AS DECIMAL(18,2))
                ELSE CAST(CAST(sign(f.spending_fen * f.budget_fen)
                               * ((abs(f.spending_fen * f.budget_fen) + abs(f.spending_fen * f.budget_fen) + f.total_spending_fen)
                                  // (f.total_spending_fen + f.total_spending_fen)) AS DECIMAL(38,0)) * 0.01 AS DECIMAL(18,2))
           END AS allocation
    FROM fen f
)
SELECT year, district, eligible_projects, eligible_spending,
       CAST(rate AS DOUBLE PRECISION) AS reward_rate,
       CAST(round(entitlement_exact, 2) AS DECIMAL(18,2)) AS entitlement,
       CAST(budget AS DECIMAL(18,2)) AS budget,
       CASE WHEN unscaled THEN 1.0 ELSE budget / total_entitlement END AS scale,
       allocation,
       CASE WHEN sum(allocation) OVER (PARTITION BY year) = 0 THEN 0.0
            ELSE CAST(allocation AS DOUBLE PRECISION) / CAST(sum(allocation) OVER (PARTITION BY year) AS DOUBLE PRECISION)
       END AS share
FROM allocated
