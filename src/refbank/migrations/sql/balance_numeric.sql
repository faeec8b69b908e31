-- FAULT balance-numeric: "money columns are NUMERIC, so a balance never overflows". The
-- contract's balances are signed 64-bit integers; a NUMERIC balance passes 2^63-1 without a
-- word, and a client that reads it into an int64 wraps or fails.
ALTER TABLE ledger_accounts ALTER COLUMN balance TYPE numeric;
