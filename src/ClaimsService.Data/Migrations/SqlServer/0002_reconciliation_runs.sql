-- Every reconciliation request an insurer makes: who, what, which period, and the result (issue: reconciliation).
CREATE TABLE reconciliation_runs (
    id           BIGINT       IDENTITY(1,1) NOT NULL PRIMARY KEY,
    kind         NVARCHAR(32)  NOT NULL,
    caller       NVARCHAR(100) NOT NULL,
    region_code  NVARCHAR(6)   NOT NULL,
    period_from  DATE         NOT NULL,
    period_to    DATE         NOT NULL,
    result       NVARCHAR(16)  NOT NULL,
    details      NVARCHAR(MAX) NULL,
    recorded_at  DATETIME2(7) NOT NULL
);
CREATE INDEX ix_reconciliation_runs_recorded ON reconciliation_runs (recorded_at);
