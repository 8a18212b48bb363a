-- The files behind a year's current rows, counted by district
-- (intermediate.source_rows, marts.submissions, marts.data_quality): how
-- many of each kind, the rows loaded, rejected and loaded with a warning,
-- and when the latest arrived. The files themselves are listed in
-- 社区服务项目明细.
WITH f AS (
    SELECT DISTINCT r.year, r.district, r.submission_id, r.kind
    FROM intermediate.source_rows r
),
k AS (
    SELECT f.year, f.district,
           count(DISTINCT f.submission_id) AS files,
           count(DISTINCT f.submission_id) FILTER (WHERE f.kind = 'communities') AS communities,
           count(DISTINCT f.submission_id) FILTER (WHERE f.kind = 'projects') AS projects,
           count(DISTINCT f.submission_id) FILTER (WHERE f.kind = 'staff') AS staff,
           count(DISTINCT f.submission_id) FILTER (WHERE f.kind = 'expenditures') AS expenditures,
           count(DISTINCT f.submission_id) FILTER (WHERE f.kind = 'activities') AS activities,
           count(DISTINCT f.submission_id) FILTER (WHERE f.kind = 'evaluations') AS evaluations,
           count(DISTINCT f.submission_id) FILTER (WHERE f.kind = 'facilities') AS facilities,
           max(s.received_at) AS latest
    FROM f
    JOIN marts.submissions s ON s.submission_id = f.submission_id
    GROUP BY f.year, f.district
)
SELECT k.*, q.rows_current, q.rows_rejected, q.rows_warned,
       strftime(k.latest, '%Y-%m-%d') AS latest_date,
       q.kinds_missing_count = 0 AS complete
FROM k
LEFT JOIN marts.data_quality q ON q.year = k.year AND q.district = k.district
