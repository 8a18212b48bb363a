-- Each project's team against the staffing minimums (marts.staffing), with
-- the project's name and one flag per minimum for the highlights. The
-- issues are worded in Chinese. required_full_time is 7 for a project
-- covering a large community, else 5 (from the policy, seed 000 §2(1)).
SELECT s.year, s.district, s.project_code, py.project_name,
       s.full_time_staff, s.required_full_time, py.large_community,
       s.registered_social_workers, s.party_members,
       s.lead_is_social_worker, s.supervisors, s.compliant,
       concat_ws('、',
           CASE WHEN contains(',' || s.issues || ',', ',full_time_staff,') THEN '全职人员不足' END,
           CASE WHEN contains(',' || s.issues || ',', ',registered_social_workers,') THEN '注册社工不足' END,
           CASE WHEN contains(',' || s.issues || ',', ',party_members,') THEN '缺少党员' END,
           CASE WHEN contains(',' || s.issues || ',', ',lead_is_social_worker,') THEN '负责人非注册社工' END) AS issues_zh,
       NOT contains(',' || s.issues || ',', ',full_time_staff,')           AS full_time_ok,
       NOT contains(',' || s.issues || ',', ',registered_social_workers,') AS social_workers_ok,
       NOT contains(',' || s.issues || ',', ',party_members,')             AS party_ok
FROM marts.staffing s
LEFT JOIN intermediate.project_years py ON py.year = s.year AND py.project_code = s.project_code
