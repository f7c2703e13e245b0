-- Re-adjudication runs' keys as VARCHAR, like ledgers and adjudications. As CHAR(n) they were compared with the text the
-- service sends as text (char::text), which no btree index on the CHAR column serves: each run's "already done?" check
-- under the ledger lock scanned readjudication_person_years whole, so a run slowed with every person-year it had done
-- (8.7 ms per check after 34 000 of them, bench/readjudication). The values are exactly 6 and 18 characters: nothing changes.
ALTER TABLE readjudication_person_years
    ALTER COLUMN region_code TYPE VARCHAR(6),
    ALTER COLUMN insured_id TYPE VARCHAR(18);
ALTER TABLE readjudication_runs
    ALTER COLUMN region_code TYPE VARCHAR(6),
    ALTER COLUMN insured_id TYPE VARCHAR(18);
