-- @description: Communities and villages no purchased service covers in a year, listed by
--   district, type and street: the planners' to-do list for the coverage targets.
--   未被任何服务项目覆盖的社区（村）名单。
-- @param year: int, default null, year (年度); the latest year in the warehouse when not given
-- @param district: text, default null, only this district (区), e.g. 青山区; all districts when not given
-- @tags: coverage, planning
SELECT cy.year, cy.district, cy.urban_rural, cy.street, cy.community_code, cy.community_name,
       cy.resident_population
FROM intermediate.community_years cy
WHERE cy.year = coalesce($year, (SELECT max(year) FROM intermediate.community_years))
  AND NOT cy.covered
  AND ($district IS NULL OR cy.district = $district)
ORDER BY cy.district, cy.urban_rural DESC, cy.street, cy.community_code
