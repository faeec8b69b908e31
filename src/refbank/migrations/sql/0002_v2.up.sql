-- Schema v2: a fee on every burn, booked to a new house_fees account kind.

ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_kind;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_kind CHECK (kind IN (
    'customer_wallet', 'customer_held', 'psp_clearing', 'payouts_in_transit', 'house_revenue',
    'house_fees'));
-- fee accounts folded into house revenue by an earlier downgrade become fee accounts again
UPDATE ledger_accounts SET kind = 'house_fees'
 WHERE kind = 'house_revenue' AND owner LIKE 'house\_fees:%';

-- the part of burned_amount that went to house_fees
ALTER TABLE holds ADD COLUMN fee_amount bigint NOT NULL DEFAULT 0;
ALTER TABLE holds ADD CONSTRAINT holds_fee_within_burn
    CHECK (fee_amount >= 0 AND fee_amount <= burned_amount);

-- the fee rate in basis points (100 = 1 %)
ALTER TABLE settings ADD COLUMN fee_bps integer NOT NULL DEFAULT 100
    CHECK (fee_bps BETWEEN 0 AND 10000);
