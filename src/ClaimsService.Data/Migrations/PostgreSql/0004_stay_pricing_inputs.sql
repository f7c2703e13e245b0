-- Per-stay pricing (issue 10): what a stay was priced with, so a reversal re-prices it the same way: the candidate
-- categories that applied to it (codes in the order the registry recorded them) and its in-policy cost and basic
-- insurance paid (combinedRateCap). Rows written before this have NULLs: their category alone, and the eligible amount.
ALTER TABLE adjudications ADD COLUMN candidate_categories VARCHAR(400) NULL;
ALTER TABLE adjudications ADD COLUMN in_policy_cost_fen BIGINT NULL;
ALTER TABLE adjudications ADD COLUMN basic_insurance_paid_fen BIGINT NULL;
