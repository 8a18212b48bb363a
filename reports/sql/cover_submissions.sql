-- The submission files behind a year's current rows (and a district's,
-- when the report is for one): one row per file and district it holds
-- rows of, its kinds of data in Chinese (policy.submission_kinds); the
-- report reads it with distinct.
SELECT r.year, r.district, s.submission_id, s.file, s.kinds,
       (SELECT string_agg(coalesce(k.name_zh, m.kind), '、' ORDER BY k.seq)
        FROM unnest(string_split(s.kinds, ',')) AS m(kind)
        LEFT JOIN policy.submission_kinds k ON k.kind = m.kind) AS kinds_zh,
       s.received_at, strftime(s.received_at, '%Y-%m-%d %H:%M') AS received,
       s.rows_loaded, s.rows_rejected, s.rows_warned, left(s.sha256, 16) AS sha256_prefix
FROM (SELECT DISTINCT year, district, submission_id FROM intermediate.source_rows) r
JOIN marts.submissions s ON s.submission_id = r.submission_id
