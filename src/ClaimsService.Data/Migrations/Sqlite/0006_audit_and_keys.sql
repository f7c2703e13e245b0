-- Key lifecycle (issue 14): a key may expire at the end of a business day, is revoked with a reason, and records
-- when it was last used (written at most once a minute per key and instance, never per request).
ALTER TABLE api_clients ADD COLUMN expires_at TIMESTAMP NULL;
ALTER TABLE api_clients ADD COLUMN last_used_at TIMESTAMP NULL;
ALTER TABLE api_clients ADD COLUMN revocation_reason VARCHAR(400) NULL;

-- Tamper evidence (issue 14): the digest of every sealed audit entry, and the seals of the chain over them.
-- Both are written by the sealer, off the hot path; audit_log itself is never updated.
CREATE TABLE audit_chain (
    sequence      BIGINT   NOT NULL PRIMARY KEY,
    entry_digest  CHAR(64) NOT NULL,
    seal_sequence BIGINT   NOT NULL
);

CREATE TABLE audit_seals (
    sequence        BIGINT    NOT NULL PRIMARY KEY,
    entries         BIGINT    NOT NULL,
    digest          CHAR(64)  NOT NULL,
    previous_digest CHAR(64)  NULL,
    sealed_at       TIMESTAMP NOT NULL
);
CREATE INDEX ix_audit_seals_sealed_at ON audit_seals (sealed_at);
CREATE INDEX ix_audit_log_region ON audit_log (region_code, id);
