-- Re-adjudication runs (issue 11 item 3): a run, the person-years it has done (written in the same transaction as their
-- adjustments, so a run sent again skips them: resumable, nothing done twice) and, for each adjustment it wrote, what the
-- stay was paid and priced with before. Adjudications carry the run that wrote them and, on a stay's settlement, the set
-- and candidates of the last run that re-priced it (later reversals re-price the stay with those).
ALTER TABLE adjudications ADD run_id NVARCHAR(100) NULL;
ALTER TABLE adjudications ADD repriced_parameter_set_id NVARCHAR(36) NULL;
ALTER TABLE adjudications ADD repriced_candidates NVARCHAR(400) NULL;
GO
CREATE INDEX ix_adjudications_run ON adjudications (run_id);

CREATE TABLE readjudication_runs (
    run_id       NVARCHAR(100) NOT NULL PRIMARY KEY,
    request_hash NCHAR(64)     NOT NULL,
    region_code  NCHAR(6)      NOT NULL,
    policy_year  INTEGER      NOT NULL,
    insured_id   NCHAR(18)     NULL,
    reason       NVARCHAR(400) NOT NULL,
    status       NVARCHAR(16)  NOT NULL,
    created_by   NVARCHAR(100) NOT NULL,
    created_at   DATETIME2(7)    NOT NULL,
    completed_at DATETIME2(7)    NULL
);

CREATE TABLE readjudication_person_years (
    run_id      NVARCHAR(100) NOT NULL,
    region_code NCHAR(6)      NOT NULL,
    insured_id  NCHAR(18)     NOT NULL,
    policy_year INTEGER      NOT NULL,
    changed     BIT          NOT NULL,
    done_at     DATETIME2(7)    NOT NULL,
    PRIMARY KEY (run_id, region_code, insured_id, policy_year)
);

CREATE TABLE readjudication_adjustments (
    adjudication_id             NVARCHAR(36)  NOT NULL PRIMARY KEY,
    run_id                      NVARCHAR(100) NOT NULL,
    settlement_adjudication_id  NVARCHAR(36)  NOT NULL,
    payout_before_fen           BIGINT       NOT NULL,
    payout_after_fen            BIGINT       NOT NULL,
    category_before             NVARCHAR(32)  NOT NULL,
    parameter_set_id_before     NVARCHAR(36)  NOT NULL,
    parameter_set_version_before INTEGER     NOT NULL
);
CREATE INDEX ix_readjudication_adjustments_run ON readjudication_adjustments (run_id, adjudication_id);
