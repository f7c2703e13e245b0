-- The ops summary reads the last hour and the current business day by instant (issue: ops dashboard).
CREATE INDEX ix_adjudications_adjudicated_at ON adjudications (adjudicated_at);
CREATE INDEX ix_audit_log_recorded_at ON audit_log (recorded_at);
