-- marts.rejects as exported: in the columns that hold personal data
-- (DOMAIN.md §5) the value, and the Chinese message that quotes it, are
-- replaced; the district's receipt has them. Every other column is kept.
SELECT submission_id, file, sheet, "row", "column",
       CASE WHEN personal THEN '' ELSE value END AS value,
       severity, code,
       CASE WHEN personal THEN '第' || CAST("row" AS VARCHAR) || '行「' || coalesce(header, "column") || '」：个人信息不导出，详见回执（' || code || '）'
            ELSE message_zh END AS message_zh,
       header, letter
FROM (
    SELECT *, "column" IN ('staff_name', 'id_number', 'id_number_masked', 'id_number_hash') AS personal
    FROM marts.rejects
) r
