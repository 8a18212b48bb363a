-- @description: Files that had rows rejected or were quarantined, with the counts and the
--   problem codes behind them, newest first: whom to call about what. 有被拒绝行或被隔离的报送文件。
-- @param district: text, default null, only files from this district (区); all when not given
-- @param since: date, default null, only files received on or after this date (YYYY-MM-DD)
-- @tags: ops, data quality
SELECT s.submission_id, s.district, s.file, s.status, s.received_at,
       s.rows_loaded, s.rows_rejected, s.rows_warned,
       (SELECT string_agg(code || '×' || n, ', ' ORDER BY n DESC, code)
          FROM (SELECT code, count(*) AS n FROM marts.rejects r
                WHERE r.submission_id = s.submission_id GROUP BY code)) AS codes,
       s.reason
FROM marts.submissions s
WHERE (s.rows_rejected > 0 OR s.status = 'quarantined')
  AND ($district IS NULL OR list_contains(string_split(coalesce(s.district, ''), ','), $district))
  AND ($since IS NULL OR s.received_at >= $since)
ORDER BY s.received_at DESC, s.submission_id DESC
