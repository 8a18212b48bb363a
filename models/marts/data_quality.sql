-- @materialized: table
-- @description: How complete and clean each district's data is for each year: one row per year
--   and district that has any current row. kinds_missing lists the submission kinds of
--   policy.submission_kinds with no current row for that year and district (project rows count
--   for their project's district, facility rows for their community's). rows_warned counts
--   current rows carrying a warning; rows_rejected counts the rows rejected (severity error) in the
--   files behind this year and district's current rows; latest_submission_date is when the
--   newest of those files arrived.
-- @tags: ops, planning
-- @column year: year
-- @column district: district
-- @column kinds_expected: kinds in policy.submission_kinds
-- @column kinds_missing_count: of them, kinds without a current row
-- @column kinds_missing: those kinds, comma-separated in policy order; empty when none
-- @column rows_current: current rows of the year and district, all kinds
-- @column rows_warned: of them, rows loaded with a warning
-- @column rows_rejected: rows rejected in the files behind them
-- @column files: submissions behind the current rows
-- @column latest_submission_date: date the newest of those files was received (NULL when unknown)
-- @column latest_submission_id: that submission
-- @test: unique(year, district)
-- @test: not_null(year, district, kinds_expected, kinds_missing_count, kinds_missing, rows_current, rows_warned, rows_rejected, files)
WITH pairs AS (
    SELECT year, district,
           count(*) AS rows_current,
           count(CASE WHEN warned THEN 1 END) AS rows_warned,
           count(DISTINCT submission_id) AS files
    FROM intermediate.source_rows
    WHERE district IS NOT NULL
    GROUP BY year, district
),
present AS (
    SELECT DISTINCT year, district, kind
    FROM intermediate.source_rows
    WHERE district IS NOT NULL
),
missing AS (
    SELECT pr.year, pr.district,
           count(k.kind) AS kinds_expected,
           count(CASE WHEN x.kind IS NULL THEN 1 END) AS kinds_missing_count,
           coalesce(string_agg(CASE WHEN x.kind IS NULL THEN k.kind END, ',' ORDER BY k.seq), '') AS kinds_missing
    FROM pairs pr
    CROSS JOIN policy.submission_kinds k
    LEFT JOIN present x ON x.year = pr.year AND x.district = pr.district AND x.kind = k.kind
    GROUP BY pr.year, pr.district
),
files AS (
    SELECT DISTINCT year, district, submission_id
    FROM intermediate.source_rows
    WHERE district IS NOT NULL
),
rejected AS (
    SELECT submission_id, count(DISTINCT sheet || '!' || CAST("row" AS VARCHAR)) AS rows_rejected
    FROM staging.rejects
    WHERE severity = 'error'
    GROUP BY submission_id
),
per_file AS (
    SELECT f.year, f.district,
           CAST(coalesce(sum(r.rows_rejected), 0) AS BIGINT) AS rows_rejected,
           CAST(max(s.received_at) AS DATE) AS latest_submission_date
    FROM files f
    LEFT JOIN rejected r ON r.submission_id = f.submission_id
    LEFT JOIN staging.submissions s ON s.submission_id = f.submission_id
    GROUP BY f.year, f.district
),
latest AS (
    SELECT f.year, f.district, max(s.submission_id) AS latest_submission_id
    FROM files f
    JOIN staging.submissions s ON s.submission_id = f.submission_id
    JOIN (
        SELECT f2.year, f2.district, max(s2.received_at) AS received_at
        FROM files f2 JOIN staging.submissions s2 ON s2.submission_id = f2.submission_id
        GROUP BY f2.year, f2.district
    ) m ON m.year = f.year AND m.district = f.district AND m.received_at = s.received_at
    GROUP BY f.year, f.district
)
SELECT p.year, p.district, m.kinds_expected, m.kinds_missing_count, m.kinds_missing,
       p.rows_current, p.rows_warned, pf.rows_rejected, p.files,
       pf.latest_submission_date, l.latest_submission_id
FROM pairs p
JOIN missing m ON m.year = p.year AND m.district = p.district
JOIN per_file pf ON pf.year = p.year AND pf.district = p.district
LEFT JOIN latest l ON l.year = p.year AND l.district = p.district
