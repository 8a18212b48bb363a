-- The volunteer person-times an evaluation counted (义工人次, seed 000
-- §2(2)): a column of the evaluations kind (etl/dict), stored last as the
-- dictionary lists it last (dict.Kind.Stored).
ALTER TABLE raw.evaluations ADD COLUMN volunteers BIGINT;
