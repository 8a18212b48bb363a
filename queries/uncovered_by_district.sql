-- @description: How many communities each district still leaves uncovered, urban and rural,
--   against the coverage target: communities, covered, uncovered, the rates and the shortfall
--   (communities still to cover to meet the target). 各区未覆盖社区数。
-- @param year: int, default null, year (年度); the latest year when not given
-- @tags: coverage, planning
SELECT year, district, urban_rural, communities, covered,
       communities - covered AS uncovered,
       round(coverage_rate, 4) AS coverage_rate, target_rate, meets_target, shortfall
FROM marts.coverage
WHERE year = coalesce($year, (SELECT max(year) FROM marts.coverage))
ORDER BY district, urban_rural DESC
