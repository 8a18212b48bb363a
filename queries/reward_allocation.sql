-- @description: The city reward allocation to districts for a year: eligible projects and
--   spending, entitlement, the budget scale and the allocation with its share. 市级奖补资金分配。
-- @param year: int, default null, year (年度); the latest year when not given
-- @tags: rewards, finance, planning
SELECT year, district, eligible_projects, eligible_spending, reward_rate, entitlement,
       budget, scale, allocation, round(share, 4) AS share
FROM marts.city_rewards
WHERE year = coalesce($year, (SELECT max(year) FROM marts.city_rewards))
ORDER BY allocation DESC, district
