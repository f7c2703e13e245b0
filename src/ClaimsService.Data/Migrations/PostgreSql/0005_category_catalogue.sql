-- Categories are data (issue 10, api.md "Parameter sets"): the catalogue of person categories a set's adjustments and the
-- registry may name. The six built-in codes are here from the start; a region adds national person types (返贫致贫人口,
-- 低保边缘户, …) with POST /v1/categories, without a release. national_code: the national platform's code, when known.
CREATE TABLE category_catalogue (
    code          VARCHAR(32)  NOT NULL PRIMARY KEY,
    name          VARCHAR(100) NOT NULL,
    national_code VARCHAR(32)  NULL,
    recorded_at   TIMESTAMP    NOT NULL,
    recorded_by   VARCHAR(100) NOT NULL
);
INSERT INTO category_catalogue (code, name, national_code, recorded_at, recorded_by) VALUES
    ('general', '普通居民', NULL, '2020-01-01 00:00:00', 'built-in'),
    ('registered_poor', '建档立卡贫困人口', NULL, '2020-01-01 00:00:00', 'built-in'),
    ('poverty_monitored', '脱贫监测户', NULL, '2020-01-01 00:00:00', 'built-in'),
    ('marginal', '边缘户', NULL, '2020-01-01 00:00:00', 'built-in'),
    ('extreme_poverty', '特困人员', NULL, '2020-01-01 00:00:00', 'built-in'),
    ('subsistence', '低保对象', NULL, '2020-01-01 00:00:00', 'built-in');
