-- Re-adjudication runs (issue 11 item 3): a run, the person-years it has done (written in the same transaction as their
-- adjustments, so a run sent again skips them: resumable, nothing done twice) and, for each adjustment it wrote, what the
-- stay was paid and priced with before. Adjudications carry the run that wrote them and, on a stay's settlement, the set
-- and candidates of the last run that re-priced it (later reversals re-price the stay with those).
ALTER TABLE adjudications ADD COLUMN run_id VARCHAR(100) NULL;
ALTER TABLE adjudications ADD COLUMN repriced_parameter_set_id VARCHAR(36) NULL;
ALTER TABLE adjudications ADD COLUMN repriced_candidates VARCHAR(400) NULL;
CREATE INDEX ix_adjudications_run ON adjudications (run_id);

CREATE TABLE readjudication_runs (
    run_id       VARCHAR(100) NOT NULL PRIMARY KEY,
    request_hash CHAR(64)     NOT NULL,
    region_code  CHAR(6)      NOT NULL,
    policy_year  INTEGER      NOT NULL,
    insured_id   CHAR(18)     NULL,
    reason       VARCHAR(400) NOT NULL,
    status       VARCHAR(16)  NOT NULL,
    created_by   VARCHAR(100) NOT NULL,
    created_at   TIMESTAMP    NOT NULL,
    completed_at TIMESTAMP    NULL
);

CREATE TABLE readjudication_person_years (
    run_id      VARCHAR(100) NOT NULL,
    region_code CHAR(6)      NOT NULL,
    insured_id  CHAR(18)     NOT NULL,
    policy_year INTEGER      NOT NULL,
    changed     BOOLEAN      NOT NULL,
    done_at     TIMESTAMP    NOT NULL,
    PRIMARY KEY (run_id, region_code, insured_id, policy_year)
);

CREATE TABLE readjudication_adjustments (
    adjudication_id             VARCHAR(36)  NOT NULL PRIMARY KEY,
    run_id                      VARCHAR(100) NOT NULL,
    settlement_adjudication_id  VARCHAR(36)  NOT NULL,
    payout_before_fen           BIGINT       NOT NULL,
    payout_after_fen            BIGINT       NOT NULL,
    category_before             VARCHAR(32)  NOT NULL,
    parameter_set_id_before     VARCHAR(36)  NOT NULL,
    parameter_set_version_before INTEGER     NOT NULL
);
CREATE INDEX ix_readjudication_adjustments_run ON readjudication_adjustments (run_id, adjudication_id);
