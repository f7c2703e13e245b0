-- Per-instance request figures of the adjudication endpoints, one row per instance, minute, outcome and code, written
-- by each instance's own background flusher (OpsFlusher) so the ops summary can add up the whole fleet (issue 14.4).
-- latency_buckets: counts per fixed latency bucket (RequestHistogram.BoundsMs), comma-separated, merged across rows.
CREATE TABLE instance_request_minutes (
    instance_id     NVARCHAR(100)  NOT NULL,
    minute_at       DATETIME2(7) NOT NULL,
    outcome         NVARCHAR(16)   NOT NULL,
    code            NVARCHAR(64)   NOT NULL,
    requests        BIGINT        NOT NULL,
    latency_buckets NVARCHAR(400)  NOT NULL,
    updated_at      DATETIME2(7) NOT NULL,
    PRIMARY KEY (instance_id, minute_at, outcome, code)
);
CREATE INDEX ix_instance_request_minutes_minute_at ON instance_request_minutes (minute_at);
