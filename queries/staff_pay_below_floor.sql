-- @description: Projects whose staff pay is below the floor share of after-tax funding
--   (staff_pay_share_min of policy, 80 %), with the pay the floor asks for and the gap in yuan.
--   人员经费低于下限的项目。
-- @param year: int, default null, only this year (年度); every year when not given
-- @param district: text, default null, only this district (区); all districts when not given
-- @tags: finance, compliance
SELECT f.year, f.district, f.project_code, py.project_name, py.provider,
       f.contract_amount, f.tax, f.staff_pay,
       round(f.staff_share, 4) AS staff_share,
       CAST(p.staff_pay_share_min AS DOUBLE) AS floor,
       CAST(p.staff_pay_share_min * (f.contract_amount - f.tax) AS DECIMAL(18,2)) AS floor_pay,
       CAST(p.staff_pay_share_min * (f.contract_amount - f.tax) - f.staff_pay AS DECIMAL(18,2)) AS gap
FROM marts.fund_use f
CROSS JOIN staging.params p
LEFT JOIN intermediate.project_years py ON py.year = f.year AND py.project_code = f.project_code
WHERE NOT f.staff_share_ok
  AND ($year IS NULL OR f.year = $year)
  AND ($district IS NULL OR f.district = $district)
ORDER BY f.year, f.district, gap DESC
