-- @description: Year-on-year change in coverage for each district and type: covered
--   communities and the coverage rate in the year before and in the year, and the change.
--   A district or type new in the year has NULL for the year before. 覆盖率同比变化。
-- @param year: int, default null, year (年度) compared with the year before; the latest year when not given
-- @tags: coverage, planning
WITH y AS (SELECT coalesce($year, (SELECT max(year) FROM marts.coverage)) AS year)
SELECT cur.year, cur.district, cur.urban_rural,
       prev.covered AS covered_before, cur.covered,
       cur.covered - prev.covered AS covered_change,
       round(prev.coverage_rate, 4) AS rate_before, round(cur.coverage_rate, 4) AS rate,
       round(cur.coverage_rate - prev.coverage_rate, 4) AS rate_change
FROM marts.coverage cur
JOIN y ON cur.year = y.year
LEFT JOIN marts.coverage prev
  ON prev.year = cur.year - 1 AND prev.district = cur.district AND prev.urban_rural = cur.urban_rural
ORDER BY cur.district, cur.urban_rural DESC
