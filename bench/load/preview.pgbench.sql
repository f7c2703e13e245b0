-- pgbench: the SQL one preview runs (SettlementStore.PreviewReadsAsync, then AuditStore.AppendAsync), prepared and
-- batched as the service sends it: the unlocked ledger read with the registry in one round trip, then the audit
-- entry in its own transaction. The database's limit for previews, to set beside the bare baseline: a preview
-- can never be faster than this, whatever the service does. Variables from run.sh: -D persons=N.
-- (pgbench reads ":name" as a variable: JSON literals keep a space after each colon, the caller spells it \x3a.)
\set p random(1, :persons)
\startpipeline
SELECT eligible_to_date_fen AS EligibleToDateFen, paid_to_date_fen AS PaidToDateFen, version AS Version
FROM ledgers WHERE region_code = '450300' AND insured_id = '450305' || lpad(:p::text, 12, '0') AND policy_year = 2020;
SELECT category AS Category, valid_from AS ValidFrom, valid_to AS ValidTo
FROM person_categories
WHERE insured_id = '450305' || lpad(:p::text, 12, '0') AND region_code IN ('450300', '450000');
\endpipeline
\startpipeline
BEGIN;
INSERT INTO audit_log (adjudication_id, kind, outcome, code, caller, hospital_code, settlement_id, region_code,
    parameter_set_id, parameter_set_version, category, inputs, trace, outputs, trace_id, recorded_at)
VALUES ('0193a8f2-6b1c-7d4e-9f00-00000000000' || (:p % 10)::text, 'preview', 'accepted', NULL, E'hospital\x3abench-hospital', 'HPGBENCH',
    'PV-' || :client_id::text, '450300', '0193a8f2-6b1c-7d4e-9f00-000000000001', 1, 'general',
    '{"settlementId": "PV-1-1-1","insuredId": "450305000000000001","regionCode": "450300","admissionDate": "2020-10-01","dischargeDate": "2020-10-12","inPolicyCost": 80000.00,"basicInsurancePaid": 30000.00,"referredOutOfRegion": false,"eligibleAmount": 50000.00}',
    '[{"from": 12000,"to": 40000,"rate": 0.6,"amount": 16800.00},{"from": 40000,"to": 50000,"rate": 0.7,"amount": 7000.00}]',
    '{"adjudicationId": "0193a8f2-6b1c-7d4e-9f00-000000000002","kind": "preview","settlementId": "PV-1-1-1","hospitalCode": "H4503000001","regionCode": "450300","insuredId": "450305000000000001","policyYear": 2020,"category": "general","parameterSet": {"id": "0193a8f2-6b1c-7d4e-9f00-000000000001","version": 1,"regionCode": "450300"},"eligibleAmount": 50000.00,"deductible": 12000.00,"capApplied": false,"yearToDate": {"eligibleBefore": 0,"eligibleAfter": 50000.00,"paidBefore": 0,"paidAfter": 23800.00},"payout": 23800.00,"trace": [],"adjudicatedAt": "2026-01-01T00:00:00Z"}',
    NULL, now());
\endpipeline
COMMIT;
