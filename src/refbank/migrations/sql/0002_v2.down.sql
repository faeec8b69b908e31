-- Schema v2 → v1, keeping every cent: house_fees accounts (and their legs, untouched) become
-- house_revenue accounts named "house_fees:<CUR>"; v2's upgrade turns them back.
UPDATE ledger_accounts SET kind = 'house_revenue' WHERE kind = 'house_fees';
ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_kind;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_kind CHECK (kind IN (
    'customer_wallet', 'customer_held', 'psp_clearing', 'payouts_in_transit', 'house_revenue'));

-- the fee per hold stays in the ledger (the burn transaction's house_fees leg)
ALTER TABLE holds DROP CONSTRAINT holds_fee_within_burn;
ALTER TABLE holds DROP COLUMN fee_amount;
ALTER TABLE settings DROP COLUMN fee_bps;
