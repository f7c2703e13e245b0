-- Per-instance request figures of the adjudication endpoints, one row per instance, minute, outcome and code, written
-- by each instance's own background flusher (OpsFlusher) so the ops summary can add up the whole fleet (issue 14.4).
-- latency_buckets: counts per fixed latency bucket (RequestHistogram.BoundsMs), comma-separated, merged across rows.
CREATE TABLE instance_request_minutes (
    instance_id     VARCHAR(100)  NOT NULL,
    minute_at       TIMESTAMPTZ   NOT NULL,
    outcome         VARCHAR(16)   NOT NULL,
    code            VARCHAR(64)   NOT NULL,
    requests        BIGINT        NOT NULL,
    latency_buckets VARCHAR(400)  NOT NULL,
    updated_at      TIMESTAMPTZ   NOT NULL,
    PRIMARY KEY (instance_id, minute_at, outcome, code)
);
CREATE INDEX ix_instance_request_minutes_minute_at ON instance_request_minutes (minute_at);
