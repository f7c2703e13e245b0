-- Registry lifecycle (issue 11): entries end (valid_to moves) or are retracted (status), never deleted; each change is
-- kept in person_category_changes with who, when, what and why. Entries recorded before this are active.
ALTER TABLE person_categories ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'active';

CREATE TABLE person_category_changes (
    id              INTEGER      NOT NULL PRIMARY KEY AUTOINCREMENT,
    entry_id        BIGINT       NOT NULL REFERENCES person_categories (id),
    action          VARCHAR(16)  NOT NULL,
    valid_to_before DATE         NULL,
    valid_to_after  DATE         NULL,
    reason          VARCHAR(200) NULL,
    changed_at      TIMESTAMP    NOT NULL,
    changed_by      VARCHAR(100) NOT NULL
);
CREATE INDEX ix_person_category_changes_entry ON person_category_changes (entry_id, id);
-- A snapshot import reads a region's active members of one category.
CREATE INDEX ix_person_categories_region_category ON person_categories (region_code, category, insured_id);
