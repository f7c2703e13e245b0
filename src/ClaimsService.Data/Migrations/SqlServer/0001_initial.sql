-- ClaimsService schema, SQL Server (production). Amounts are whole fen (分) in BIGINT columns so that
-- sums are exact on every provider; instants are UTC (DATETIME2). Text columns are NVARCHAR/NCHAR:
-- Dapper sends strings as nvarchar, and a varchar key compared with an nvarchar parameter is converted
-- row by row, turning the seeks under the ledger lock into scans.
CREATE TABLE parameter_sets (
    id              NVARCHAR(36)  NOT NULL PRIMARY KEY,
    region_code     NCHAR(6)      NOT NULL,
    version         INTEGER      NOT NULL,
    effective_from  DATE         NOT NULL,
    name            NVARCHAR(200) NOT NULL,
    policy_document NVARCHAR(200) NULL,
    definition      NVARCHAR(MAX)         NOT NULL,
    published_at    DATETIME2(7)    NOT NULL,
    published_by    NVARCHAR(100) NOT NULL,
    CONSTRAINT ux_parameter_sets_region_version UNIQUE (region_code, version)
);

CREATE TABLE person_categories (
    id          BIGINT       IDENTITY(1,1) NOT NULL PRIMARY KEY,
    insured_id  NCHAR(18)     NOT NULL,
    region_code NCHAR(6)      NOT NULL,
    category    NVARCHAR(32)  NOT NULL,
    valid_from  DATE         NOT NULL,
    valid_to    DATE         NULL,
    source      NVARCHAR(200) NULL,
    recorded_at DATETIME2(7)    NOT NULL,
    recorded_by NVARCHAR(100) NOT NULL
);
CREATE INDEX ix_person_categories_insured ON person_categories (insured_id, region_code);

CREATE TABLE ledgers (
    region_code          NCHAR(6)   NOT NULL,
    insured_id           NCHAR(18)  NOT NULL,
    policy_year          INTEGER   NOT NULL,
    eligible_to_date_fen BIGINT    NOT NULL,
    paid_to_date_fen     BIGINT    NOT NULL,
    version              INTEGER   NOT NULL,
    updated_at           DATETIME2(7) NOT NULL,
    PRIMARY KEY (region_code, insured_id, policy_year)
);

CREATE TABLE adjudications (
    id                     NVARCHAR(36)  NOT NULL PRIMARY KEY,
    idempotency_key        NVARCHAR(200) NOT NULL,
    kind                   NVARCHAR(16)  NOT NULL,
    hospital_code          NVARCHAR(64)  NOT NULL,
    settlement_id          NVARCHAR(64)  NOT NULL,
    region_code            NCHAR(6)      NOT NULL,
    insured_id             NCHAR(18)     NOT NULL,
    policy_year            INTEGER      NOT NULL,
    sequence               INTEGER      NOT NULL,
    admission_date         DATE         NULL,
    discharge_date         DATE         NULL,
    referred_out_of_region BIT          NOT NULL,
    category               NVARCHAR(32)  NOT NULL,
    parameter_set_id       NVARCHAR(36)  NOT NULL,
    parameter_set_version  INTEGER      NOT NULL,
    parameter_set_region   NCHAR(6)      NOT NULL,
    eligible_amount_fen    BIGINT       NOT NULL,
    deductible_fen         BIGINT       NOT NULL,
    eligible_before_fen    BIGINT       NOT NULL,
    eligible_after_fen     BIGINT       NOT NULL,
    paid_before_fen        BIGINT       NOT NULL,
    paid_after_fen         BIGINT       NOT NULL,
    payout_fen             BIGINT       NOT NULL,
    cap_applied            BIT          NOT NULL,
    related_id             NVARCHAR(36)  NULL,
    reversed_by_id         NVARCHAR(36)  NULL,
    request_hash           NCHAR(64)     NULL,
    trace                  NVARCHAR(MAX)         NOT NULL,
    adjudicated_at         DATETIME2(7)    NOT NULL,
    business_date          DATE         NOT NULL,
    CONSTRAINT ux_adjudications_idempotency_key UNIQUE (idempotency_key)
);
CREATE INDEX ix_adjudications_person_year ON adjudications (region_code, insured_id, policy_year, sequence);
CREATE INDEX ix_adjudications_region_day ON adjudications (region_code, business_date, adjudicated_at, id);
CREATE INDEX ix_adjudications_settlement ON adjudications (hospital_code, settlement_id, kind);

CREATE TABLE audit_log (
    id                    BIGINT       IDENTITY(1,1) NOT NULL PRIMARY KEY,
    adjudication_id       NVARCHAR(36)  NULL,
    kind                  NVARCHAR(16)  NOT NULL,
    outcome               NVARCHAR(16)  NOT NULL,
    code                  NVARCHAR(64)  NULL,
    caller                NVARCHAR(100) NOT NULL,
    hospital_code         NVARCHAR(64)  NULL,
    settlement_id         NVARCHAR(64)  NULL,
    region_code           NCHAR(6)      NULL,
    parameter_set_id      NVARCHAR(36)  NULL,
    parameter_set_version INTEGER      NULL,
    category              NVARCHAR(32)  NULL,
    inputs                NVARCHAR(MAX)         NOT NULL,
    trace                 NVARCHAR(MAX)         NULL,
    outputs               NVARCHAR(MAX)         NULL,
    trace_id              NVARCHAR(32)  NULL,
    recorded_at           DATETIME2(7)    NOT NULL
);
CREATE INDEX ix_audit_log_adjudication ON audit_log (adjudication_id);
CREATE INDEX ix_audit_log_settlement ON audit_log (hospital_code, settlement_id);

CREATE TABLE api_clients (
    id            NVARCHAR(36)  NOT NULL PRIMARY KEY,
    name          NVARCHAR(100) NOT NULL,
    role          NVARCHAR(16)  NOT NULL,
    hospital_code NVARCHAR(64)  NULL,
    regions       NVARCHAR(400) NULL,
    key_hash      NCHAR(64)     NOT NULL,
    key_prefix    NVARCHAR(16)  NOT NULL,
    created_at    DATETIME2(7)    NOT NULL,
    revoked_at    DATETIME2(7)    NULL,
    CONSTRAINT ux_api_clients_key_hash UNIQUE (key_hash)
);
