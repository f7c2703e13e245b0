-- pgbench: the SQL one settlement runs (SettlementService/SettlementStore/AuditStore/RegistryStore with
-- PostgreSqlDialect), statement for statement, prepared: the database's limit for this work.
-- -D pipeline=0: one round trip per statement, as a plain client sends them.
-- -D pipeline=1: the statements that need no answer in between go in one round trip each (pgbench pipelines),
--   as the service batches them: the reads, the locked ledger read (\gset is not allowed in a pipeline), the writes
--   with COMMIT. The idempotency lookup comes before the locked read here so that it can join the first batch.
-- Other variables from run.sh: -D persons=N -D run=R -D n=0 (n counts each client's settlements).
-- (pgbench reads ":name" as a variable: JSON literals keep a space after each colon, the caller spells it \x3a.)
-- The persons are '450305' + 12 digits (no check digit: the database does not check it), with registry
-- entries in the same shares as the service's persons; amounts in fen as in settle.lua.
\set p random(1, :persons)
\set cost random(500000, 10000000)
\set basic :cost * random(30, 50) / 100
\set elig :cost - :basic
\set n :n + 1
-- The registry (RegistryStore.ForPersonSql): in the service, in the batch of the transaction's reads.
\if :pipeline
\startpipeline
\endif
SELECT category AS Category, valid_from AS ValidFrom, valid_to AS ValidTo
FROM person_categories
WHERE insured_id = '450305' || lpad(:p::text, 12, '0') AND region_code IN ('450300', '450000');
BEGIN;
-- PostgreSqlDialect.LockLedgerSql: create the person-year's ledger row if missing, read it locked.
INSERT INTO ledgers (region_code, insured_id, policy_year, eligible_to_date_fen, paid_to_date_fen, version, updated_at)
VALUES ('450300', '450305' || lpad(:p::text, 12, '0'), 2020, 0, 0, 0, now())
ON CONFLICT DO NOTHING;
-- The idempotency lookup (SettlementStore: under the person-year's lock, in the same batch as the locked read).
SELECT id, idempotency_key, kind, hospital_code, settlement_id, region_code, insured_id, policy_year, sequence,
    admission_date, discharge_date, referred_out_of_region, category, parameter_set_id, parameter_set_version,
    parameter_set_region, eligible_amount_fen, deductible_fen, eligible_before_fen, eligible_after_fen,
    paid_before_fen, paid_after_fen, payout_fen, cap_applied, related_id, reversed_by_id, request_hash, trace,
    adjudicated_at, business_date
FROM adjudications WHERE idempotency_key = 'S|HPGBENCH|PGB-' || :run::text || '-' || :client_id::text || '-' || :n::text;
\if :pipeline
\endpipeline
\endif
-- The locked read (its answer prices the stay).
SELECT eligible_to_date_fen AS eligible, paid_to_date_fen AS paid, version AS version
FROM ledgers WHERE region_code = '450300' AND insured_id = '450305' || lpad(:p::text, 12, '0') AND policy_year = 2020
FOR UPDATE \gset
-- The pricing, in the client as in the service: Guilin 2020, general category (cumulative bands, deductible 12 000).
\set after :eligible + :elig
\set f 0.6 * greatest(least(:after, 4000000) - 1200000, 0) + 0.7 * greatest(least(:after, 6000000) - 4000000, 0) + 0.8 * greatest(:after - 6000000, 0)
\set paidafter greatest(int(:f), :paid)
\set payout :paidafter - :paid
\set version :version + 1
\if :pipeline
\startpipeline
\endif
INSERT INTO adjudications (id, idempotency_key, kind, hospital_code, settlement_id, region_code, insured_id, policy_year, sequence,
    admission_date, discharge_date, referred_out_of_region, category, parameter_set_id, parameter_set_version,
    parameter_set_region, eligible_amount_fen, deductible_fen, eligible_before_fen, eligible_after_fen,
    paid_before_fen, paid_after_fen, payout_fen, cap_applied, related_id, reversed_by_id, request_hash, trace,
    adjudicated_at, business_date)
VALUES ('PGB-' || :run::text || '-' || :client_id::text || '-' || :n::text, 'S|HPGBENCH|PGB-' || :run::text || '-' || :client_id::text || '-' || :n::text, 'settlement', 'HPGBENCH',
    'PGB-' || :run::text || '-' || :client_id::text || '-' || :n::text, '450300', '450305' || lpad(:p::text, 12, '0'), 2020, :version,
    DATE '2020-10-01', DATE '2020-10-12', false, 'general', '0193a8f2-6b1c-7d4e-9f00-000000000001', 1,
    '450300', :elig, 1200000, :eligible, :after,
    :paid, :paidafter, :payout, false, NULL, NULL, '5d41402abc4b2a76b9719d911017c592aa5d41402abc4b2a76b9719d911017c5',
    '[{"from": 12000,"to": 40000,"rate": 0.6,"amount": 16800.00},{"from": 40000,"to": 50000,"rate": 0.7,"amount": 7000.00}]',
    now(), CURRENT_DATE);
UPDATE ledgers SET eligible_to_date_fen = :after, paid_to_date_fen = :paidafter, version = :version, updated_at = now()
WHERE region_code = '450300' AND insured_id = '450305' || lpad(:p::text, 12, '0') AND policy_year = 2020;
INSERT INTO audit_log (adjudication_id, kind, outcome, code, caller, hospital_code, settlement_id, region_code,
    parameter_set_id, parameter_set_version, category, inputs, trace, outputs, trace_id, recorded_at)
VALUES ('PGB-' || :run::text || '-' || :client_id::text || '-' || :n::text, 'settlement', 'accepted', NULL, E'hospital\x3abench-hospital', 'HPGBENCH',
    'PGB-' || :run::text || '-' || :client_id::text || '-' || :n::text, '450300', '0193a8f2-6b1c-7d4e-9f00-000000000001', 1, 'general',
    '{"settlementId": "PGB-1-1-1","insuredId": "450305000000000001","regionCode": "450300","admissionDate": "2020-10-01","dischargeDate": "2020-10-12","inPolicyCost": 80000.00,"basicInsurancePaid": 30000.00,"referredOutOfRegion": false,"eligibleAmount": 50000.00}',
    '[{"from": 12000,"to": 40000,"rate": 0.6,"amount": 16800.00},{"from": 40000,"to": 50000,"rate": 0.7,"amount": 7000.00}]',
    '{"adjudicationId": "0193a8f2-6b1c-7d4e-9f00-000000000002","kind": "settlement","payout": 23800.00,"deductible": 12000.00,"eligibleAmount": 50000.00,"eligibleBefore": 0.00,"eligibleAfter": 50000.00,"paidBefore": 0.00,"paidAfter": 23800.00,"capApplied": false,"relatedId": null}',
    NULL, now());
COMMIT;
\if :pipeline
\endpipeline
\endif
