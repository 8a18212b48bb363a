-- Data-quality warnings for the cover, in Chinese: kinds of submission a
-- district has not sent for the year (marts.data_quality), rows rejected
-- or loaded with a warning, and files that could not be read at all
-- (quarantined, shown in every year since their year is unknown).
WITH missing AS (
    SELECT dq.year, dq.district,
           string_agg(coalesce(k.name_zh, m.kind), '、' ORDER BY k.seq) AS kinds_zh
    FROM marts.data_quality dq,
         unnest(string_split(dq.kinds_missing, ',')) AS m(kind)
    LEFT JOIN policy.submission_kinds k ON k.kind = m.kind
    WHERE dq.kinds_missing <> ''
    GROUP BY dq.year, dq.district
)
SELECT year, district, 1 AS seq, '缺少报送：' || kinds_zh AS warning FROM missing
UNION ALL
SELECT year, district, 2, '有 ' || CAST(rows_rejected AS VARCHAR) || ' 行数据因错误未入库（详见各文件回执）'
FROM marts.data_quality WHERE rows_rejected > 0
UNION ALL
SELECT year, district, 3, '有 ' || CAST(rows_warned AS VARCHAR) || ' 行数据带警告入库（详见各文件回执）'
FROM marts.data_quality WHERE rows_warned > 0
UNION ALL
SELECT y.year, s.district, 4, '文件未能读取（已隔离）：' || s.file || coalesce('（' || s.reason || '）', '')
FROM marts.submissions s
CROSS JOIN (SELECT DISTINCT year FROM marts.data_quality) y
WHERE s.status = 'quarantined'
