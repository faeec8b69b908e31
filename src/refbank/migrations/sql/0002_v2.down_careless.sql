-- FAULT downgrade-drops-data: the downgrade a hurried engineer writes. "v1 has no house_fees,
-- so drop them": it switches the ledger's guards off and deletes the fee accounts and their
-- legs. Every burn under v2 now has legs that do not balance, and the fees are gone.
ALTER TABLE ledger_entries DISABLE TRIGGER USER;
DELETE FROM ledger_entries
 WHERE account_id IN (SELECT id FROM ledger_accounts WHERE kind = 'house_fees');
ALTER TABLE ledger_entries ENABLE TRIGGER USER;
DELETE FROM ledger_accounts WHERE kind = 'house_fees';
ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_kind;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_kind CHECK (kind IN (
    'customer_wallet', 'customer_held', 'psp_clearing', 'payouts_in_transit', 'house_revenue'));
ALTER TABLE holds DROP CONSTRAINT holds_fee_within_burn;
ALTER TABLE holds DROP COLUMN fee_amount;
ALTER TABLE settings DROP COLUMN fee_bps;
