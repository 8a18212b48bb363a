-- @description: Districts ranked by how far they are from the coverage targets: communities
--   still to cover (urban + rural shortfall), then the urban and rural rates against their
--   targets. 距离覆盖目标最远的区。
-- @param year: int, default null, year (年度); the latest year when not given
-- @tags: coverage, planning
SELECT year, district,
       sum(shortfall) AS shortfall,
       sum(shortfall) FILTER (WHERE urban_rural = 'urban') AS urban_shortfall,
       sum(shortfall) FILTER (WHERE urban_rural = 'rural') AS rural_shortfall,
       round(max(coverage_rate) FILTER (WHERE urban_rural = 'urban'), 4) AS urban_rate,
       max(target_rate) FILTER (WHERE urban_rural = 'urban') AS urban_target,
       round(max(coverage_rate) FILTER (WHERE urban_rural = 'rural'), 4) AS rural_rate,
       max(target_rate) FILTER (WHERE urban_rural = 'rural') AS rural_target,
       bool_and(meets_target) AS meets_all_targets
FROM marts.coverage
WHERE year = coalesce($year, (SELECT max(year) FROM marts.coverage))
GROUP BY year, district
ORDER BY shortfall DESC, district
