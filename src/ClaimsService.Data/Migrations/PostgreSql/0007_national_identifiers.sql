-- National identifiers (issue 13): the national medical-insurance platform's keys a hospital sends with a settlement
-- (人员编号 psn_no, 就诊ID mdtrt_id, 结算ID setl_id, 报文ID msgid of the first request, 医疗类别 med_type, 参保地 and 就医地
-- 区划), copied onto the stay's reversal and adjustments so statements and detail checks find them; and 本次可支付限额, what
-- the cap still allowed before the stay (NULL: no cap).
ALTER TABLE adjudications ADD COLUMN psn_no VARCHAR(30) NULL;
ALTER TABLE adjudications ADD COLUMN mdtrt_id VARCHAR(30) NULL;
ALTER TABLE adjudications ADD COLUMN setl_id VARCHAR(30) NULL;
ALTER TABLE adjudications ADD COLUMN msgid VARCHAR(30) NULL;
ALTER TABLE adjudications ADD COLUMN med_type VARCHAR(6) NULL;
ALTER TABLE adjudications ADD COLUMN insuplc_admdvs VARCHAR(6) NULL;
ALTER TABLE adjudications ADD COLUMN mdtrtarea_admvs VARCHAR(6) NULL;
ALTER TABLE adjudications ADD COLUMN cap_remaining_fen BIGINT NULL;
CREATE INDEX ix_adjudications_setl_id ON adjudications (setl_id);
