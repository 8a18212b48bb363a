-- @description: Districts and years with a submission kind missing or with rejected rows, and
--   when their latest file arrived: whose data is incomplete. 数据缺报与质量问题。
-- @param year: int, default null, only this year (年度); every year when not given
-- @tags: ops, data quality
SELECT year, district, kinds_missing_count, kinds_missing, rows_current, rows_rejected,
       rows_warned, latest_submission_date
FROM marts.data_quality
WHERE ($year IS NULL OR year = $year)
  AND (kinds_missing_count > 0 OR rows_rejected > 0 OR rows_warned > 0)
ORDER BY year, kinds_missing_count DESC, rows_rejected DESC, district
