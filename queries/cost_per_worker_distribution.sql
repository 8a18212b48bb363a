-- @description: The distribution of contract cost per full-time worker by year and district:
--   projects, those with full-time staff, and the minimum, quartiles, median, mean and maximum
--   cost per worker in yuan (projects without full-time staff are left out of the figures).
--   人均成本分布。
-- @param year: int, default null, only this year (年度); every year when not given
-- @tags: finance, staffing
SELECT year, district,
       count(*) AS projects,
       count(cost_per_worker) AS with_staff,
       min(cost_per_worker) AS min,
       CAST(quantile_cont(cost_per_worker, 0.25) AS DECIMAL(18,2)) AS p25,
       CAST(median(cost_per_worker) AS DECIMAL(18,2)) AS median,
       CAST(quantile_cont(cost_per_worker, 0.75) AS DECIMAL(18,2)) AS p75,
       max(cost_per_worker) AS max,
       CAST(avg(cost_per_worker) AS DECIMAL(18,2)) AS mean
FROM marts.project_costs
WHERE $year IS NULL OR year = $year
GROUP BY year, district
ORDER BY year, district
