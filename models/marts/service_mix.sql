-- @materialized: table
-- @description: The services each project delivered in the year (DOMAIN §6, seed 000 §3 "5+1+2",
--   seed 004 annex 1 §4(三)2): distinct catalogue codes with at least one activity, person-times,
--   service days, and the months inside the contract with fewer than service_days_min_per_month
--   service days. One row per project and year (zeros without activities).
-- @tags: services
-- @column year: year
-- @column project_code: project number
-- @column basic_items: distinct basic major items (tables 1–3) with an activity
-- @column basic_sub_items: distinct basic sub-items with an activity
-- @column featured_items: distinct featured major items (table 4) with an activity
-- @column external_items: distinct external cooperation sub-items (table 5) with an activity
-- @column meets_5_1_2: all four at or above mix_basic_items_min, mix_basic_sub_items_min, mix_featured_items_min, mix_external_sub_items_min
-- @column person_times: Σ participants (volunteers not counted)
-- @column service_days: distinct activity dates
-- @column months_below_min_days: months of the year with at least one day inside the contract period and fewer than service_days_min_per_month service days
-- @test: unique(year, project_code)
-- @test: not_null(year, project_code, basic_items, basic_sub_items, featured_items, external_items, meets_5_1_2, person_times, service_days, months_below_min_days)
-- @test months_below_min_days: range(0, 12)
WITH acts AS (
    SELECT a.year, a.project_code, a.activity_date, a.participants,
           c.category, c.major_item, c.sub_item
    FROM staging.activities a
    LEFT JOIN policy.service_catalogue c ON c.sub_item = a.service_item
),
mix AS (
    SELECT year, project_code,
           count(DISTINCT CASE WHEN category = 'basic' THEN major_item END) AS basic_items,
           count(DISTINCT CASE WHEN category = 'basic' THEN sub_item END) AS basic_sub_items,
           count(DISTINCT CASE WHEN category = 'featured' THEN major_item END) AS featured_items,
           count(DISTINCT CASE WHEN category = 'external' THEN sub_item END) AS external_items,
           CAST(sum(participants) AS BIGINT) AS person_times,
           count(DISTINCT activity_date) AS service_days
    FROM acts
    GROUP BY year, project_code
),
month_days AS (
    SELECT year, project_code, EXTRACT(month FROM activity_date) AS month,
           count(DISTINCT activity_date) AS days
    FROM staging.activities
    GROUP BY year, project_code, EXTRACT(month FROM activity_date)
),
months AS (
    SELECT month FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12)) AS m(month)
),
short_months AS (
    SELECT py.year, py.project_code, count(*) AS months_below_min_days
    FROM intermediate.project_years py
    CROSS JOIN months m
    CROSS JOIN staging.params p
    LEFT JOIN month_days d
           ON d.year = py.year AND d.project_code = py.project_code AND d.month = m.month
    WHERE py.year * 100 + m.month
          BETWEEN EXTRACT(year FROM py.contract_start) * 100 + EXTRACT(month FROM py.contract_start)
              AND EXTRACT(year FROM py.contract_end) * 100 + EXTRACT(month FROM py.contract_end)
      AND coalesce(d.days, 0) < p.service_days_min_per_month
    GROUP BY py.year, py.project_code
)
SELECT py.year, py.project_code,
       coalesce(x.basic_items, 0) AS basic_items,
       coalesce(x.basic_sub_items, 0) AS basic_sub_items,
       coalesce(x.featured_items, 0) AS featured_items,
       coalesce(x.external_items, 0) AS external_items,
       coalesce(x.basic_items, 0) >= p.mix_basic_items_min
         AND coalesce(x.basic_sub_items, 0) >= p.mix_basic_sub_items_min
         AND coalesce(x.featured_items, 0) >= p.mix_featured_items_min
         AND coalesce(x.external_items, 0) >= p.mix_external_sub_items_min AS meets_5_1_2,
       coalesce(x.person_times, 0) AS person_times,
       coalesce(x.service_days, 0) AS service_days,
       coalesce(s.months_below_min_days, 0) AS months_below_min_days
FROM intermediate.project_years py
CROSS JOIN staging.params p
LEFT JOIN mix x ON x.year = py.year AND x.project_code = py.project_code
LEFT JOIN short_months s ON s.year = py.year AND s.project_code = py.project_code
