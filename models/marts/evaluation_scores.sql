-- @materialized: table
-- @description: Evaluation totals and stars (DOMAIN §6, seed 004 annex 1 §5): one row per
--   project, year and stage evaluated. indicator_score = the four scores summed (a blank score
--   counts 0); participation_rate = person_times / Σ resident_population of the covered
--   communities; participation_score = eval_participation_points × min(rate /
--   participation_full_mark_rate, 1); satisfaction_score = eval_satisfaction_points ×
--   satisfaction; total_score = eval_indicator_weight × indicator_score + both. The decimal parts
--   are exact; stars come from policy.star_bands ([min, max) with score_tolerance so float noise
--   never moves a score across a boundary); passed = stars ≥ evaluation_pass_stars.
-- @tags: evaluation
-- @column year: year
-- @column project_code: project number
-- @column stage: mid, annual or final
-- @column indicator_score: facility + team + activity + funding scores (0–100)
-- @column participation_rate: person_times / Σ resident_population of the project's covered communities
-- @column participation_score: eval_participation_points × min(participation_rate / participation_full_mark_rate, 1)
-- @column satisfaction_score: eval_satisfaction_points × satisfaction
-- @column total_score: eval_indicator_weight × indicator_score + participation_score + satisfaction_score
-- @column stars: stars of the band of total_score (policy.star_bands); 0 means rectify
-- @column passed: stars ≥ evaluation_pass_stars
-- @column volunteer_times: volunteer person-times the evaluation counted (义工人次, seed 000 §2(2)); NULL when not reported
-- @test: unique(year, project_code, stage)
-- @test: not_null(year, project_code, stage, indicator_score, participation_score, satisfaction_score, total_score, stars, passed)
-- @test stage: accepted_values(mid|annual|final)
-- @test indicator_score: range(0, 100)
-- @test total_score: range(0, 100)
-- @test stars: accepted_values(0|3|4|5)
WITH base AS (
    SELECT e.year, e.project_code, e.stage,
           coalesce(e.facility_score, 0) + coalesce(e.team_score, 0)
             + coalesce(e.activity_score, 0) + coalesce(e.funding_score, 0) AS indicator,
           coalesce(e.person_times, 0) AS person_times,
           coalesce(e.satisfaction, 0) AS satisfaction,
           e.volunteers,
           py.covered_population
    FROM staging.evaluations e
    LEFT JOIN intermediate.project_years py ON py.year = e.year AND py.project_code = e.project_code
),
parts AS (
    SELECT b.*,
           CAST(b.person_times AS DOUBLE PRECISION) / CASE WHEN b.covered_population > 0 THEN b.covered_population END AS participation_rate,
           b.covered_population > 0
             AND b.person_times >= p.participation_full_mark_rate * b.covered_population AS full_participation,
           CAST(p.eval_indicator_weight * b.indicator + p.eval_satisfaction_points * b.satisfaction AS DECIMAL(38,12)) AS exact_part,
           p.eval_participation_points AS participation_points,
           p.participation_full_mark_rate AS full_mark_rate,
           p.eval_satisfaction_points * b.satisfaction AS satisfaction_points
    FROM base b
    CROSS JOIN staging.params p
),
scored AS (
    SELECT year, project_code, stage, indicator, participation_rate, satisfaction_points, volunteers,
           CASE WHEN full_participation THEN CAST(participation_points AS DOUBLE PRECISION)
                ELSE coalesce(CAST(participation_points AS DOUBLE PRECISION) * participation_rate / CAST(full_mark_rate AS DOUBLE PRECISION), 0)
           END AS participation_score,
           CASE WHEN full_participation THEN CAST(exact_part + participation_points AS DOUBLE PRECISION)
                ELSE CAST(exact_part AS DOUBLE PRECISION)
                     + coalesce(CAST(participation_points AS DOUBLE PRECISION) * participation_rate / CAST(full_mark_rate AS DOUBLE PRECISION), 0)
           END AS total_score
    FROM parts
)
SELECT s.year, s.project_code, s.stage,
       CAST(s.indicator AS DOUBLE PRECISION) AS indicator_score,
       s.participation_rate,
       s.participation_score,
       CAST(s.satisfaction_points AS DOUBLE PRECISION) AS satisfaction_score,
       s.total_score,
       b.stars,
       b.stars >= p.evaluation_pass_stars AS passed,
       s.volunteers AS volunteer_times
FROM scored s
CROSS JOIN staging.params p
LEFT JOIN policy.star_bands b
       ON (b.min_score IS NULL OR s.total_score >= b.min_score - p.score_tolerance)
      AND (b.max_score_exclusive IS NULL OR s.total_score < b.max_score_exclusive - p.score_tolerance)
