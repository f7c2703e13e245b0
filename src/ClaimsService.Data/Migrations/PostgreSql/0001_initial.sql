-- ClaimsService schema, PostgreSQL. Amounts are whole fen (分) in BIGINT columns so
-- that sums are exact on every provider; dates are DATE; instants are UTC (TIMESTAMPTZ).
CREATE TABLE parameter_sets (
    id              VARCHAR(36)  NOT NULL PRIMARY KEY,
    region_code     VARCHAR(6)      NOT NULL,
    version         INTEGER      NOT NULL,
    effective_from  DATE         NOT NULL,
    name            VARCHAR(200) NOT NULL,
    policy_document VARCHAR(200) NULL,
    definition      TEXT         NOT NULL,
    published_at    TIMESTAMPTZ    NOT NULL,
    published_by    VARCHAR(100) NOT NULL,
    CONSTRAINT ux_parameter_sets_region_version UNIQUE (region_code, version)
);

CREATE TABLE person_categories (
    id          BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    insured_id  VARCHAR(18)     NOT NULL,
    region_code VARCHAR(6)      NOT NULL,
    category    VARCHAR(32)  NOT NULL,
    valid_from  DATE         NOT NULL,
    valid_to    DATE         NULL,
    source      VARCHAR(200) NULL,
    recorded_at TIMESTAMPTZ    NOT NULL,
    recorded_by VARCHAR(100) NOT NULL
);
CREATE INDEX ix_person_categories_insured ON person_categories (insured_id, region_code);

CREATE TABLE ledgers (
    region_code          VARCHAR(6)   NOT NULL,
    insured_id           VARCHAR(18)  NOT NULL,
    policy_year          INTEGER   NOT NULL,
    eligible_to_date_fen BIGINT    NOT NULL,
    paid_to_date_fen     BIGINT    NOT NULL,
    version              INTEGER   NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (region_code, insured_id, policy_year)
);

CREATE TABLE adjudications (
    id                     VARCHAR(36)  NOT NULL PRIMARY KEY,
    idempotency_key        VARCHAR(200) NOT NULL,
    kind                   VARCHAR(16)  NOT NULL,
    hospital_code          VARCHAR(64)  NOT NULL,
    settlement_id          VARCHAR(64)  NOT NULL,
    region_code            VARCHAR(6)      NOT NULL,
    insured_id             VARCHAR(18)     NOT NULL,
    policy_year            INTEGER      NOT NULL,
    sequence               INTEGER      NOT NULL,
    admission_date         DATE         NULL,
    discharge_date         DATE         NULL,
    referred_out_of_region BOOLEAN      NOT NULL,
    category               VARCHAR(32)  NOT NULL,
    parameter_set_id       VARCHAR(36)  NOT NULL,
    parameter_set_version  INTEGER      NOT NULL,
    parameter_set_region   VARCHAR(6)      NOT NULL,
    eligible_amount_fen    BIGINT       NOT NULL,
    deductible_fen         BIGINT       NOT NULL,
    eligible_before_fen    BIGINT       NOT NULL,
    eligible_after_fen     BIGINT       NOT NULL,
    paid_before_fen        BIGINT       NOT NULL,
    paid_after_fen         BIGINT       NOT NULL,
    payout_fen             BIGINT       NOT NULL,
    cap_applied            BOOLEAN      NOT NULL,
    related_id             VARCHAR(36)  NULL,
    reversed_by_id         VARCHAR(36)  NULL,
    request_hash           VARCHAR(64)     NULL,
    trace                  TEXT         NOT NULL,
    adjudicated_at         TIMESTAMPTZ    NOT NULL,
    business_date          DATE         NOT NULL,
    CONSTRAINT ux_adjudications_idempotency_key UNIQUE (idempotency_key)
);
CREATE INDEX ix_adjudications_person_year ON adjudications (region_code, insured_id, policy_year, sequence);
CREATE INDEX ix_adjudications_region_day ON adjudications (region_code, business_date, adjudicated_at, id);
CREATE INDEX ix_adjudications_settlement ON adjudications (hospital_code, settlement_id, kind);

CREATE TABLE audit_log (
    id                    BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    adjudication_id       VARCHAR(36)  NULL,
    kind                  VARCHAR(16)  NOT NULL,
    outcome               VARCHAR(16)  NOT NULL,
    code                  VARCHAR(64)  NULL,
    caller                VARCHAR(100) NOT NULL,
    hospital_code         VARCHAR(64)  NULL,
    settlement_id         VARCHAR(64)  NULL,
    region_code           VARCHAR(6)      NULL,
    parameter_set_id      VARCHAR(36)  NULL,
    parameter_set_version INTEGER      NULL,
    category              VARCHAR(32)  NULL,
    inputs                TEXT         NOT NULL,
    trace                 TEXT         NULL,
    outputs               TEXT         NULL,
    trace_id              VARCHAR(32)  NULL,
    recorded_at           TIMESTAMPTZ    NOT NULL
);
CREATE INDEX ix_audit_log_adjudication ON audit_log (adjudication_id);
CREATE INDEX ix_audit_log_settlement ON audit_log (hospital_code, settlement_id);

CREATE TABLE api_clients (
    id            VARCHAR(36)  NOT NULL PRIMARY KEY,
    name          VARCHAR(100) NOT NULL,
    role          VARCHAR(16)  NOT NULL,
    hospital_code VARCHAR(64)  NULL,
    regions       VARCHAR(400) NULL,
    key_hash      VARCHAR(64)     NOT NULL,
    key_prefix    VARCHAR(16)  NOT NULL,
    created_at    TIMESTAMPTZ    NOT NULL,
    revoked_at    TIMESTAMPTZ    NULL,
    CONSTRAINT ux_api_clients_key_hash UNIQUE (key_hash)
);
