-- @description: Rejected and warned rows counted by problem code and district, with one
--   example message in Chinese: which mistakes the districts make most. 按问题类型统计的拒绝行。
-- @param district: text, default null, only files from this district (区); all when not given
-- @tags: ops, data quality
SELECT coalesce(s.district, '') AS district, r.severity, r.code,
       count(*) AS problems,
       count(DISTINCT r.submission_id) AS files,
       min(r.message_zh) AS example
FROM marts.rejects r
JOIN marts.submissions s USING (submission_id)
WHERE $district IS NULL OR list_contains(string_split(coalesce(s.district, ''), ','), $district)
GROUP BY ALL
ORDER BY problems DESC, district, r.code
