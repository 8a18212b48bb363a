-- The submission files behind a year's current rows (and a district's,
-- when the report is for one), for the cover: one row per file and
-- district it holds rows of; the report reads it with distinct.
SELECT r.year, r.district, s.submission_id, s.file, s.kinds, s.received_at,
       s.rows_loaded, s.rows_rejected, s.rows_warned, left(s.sha256, 16) AS sha256_prefix
FROM (SELECT DISTINCT year, district, submission_id FROM intermediate.source_rows) r
JOIN marts.submissions s ON s.submission_id = r.submission_id
