-- Back to an empty database (only for tearing a test database down: it drops every row).
DROP TABLE settings, finance_jobs, idempotency_keys, webhook_events, transfers, withdrawals,
    deposits, holds, ledger_entries, ledger_transactions, ledger_accounts, accounts;
DROP FUNCTION holds_state_machine(), ledger_append_only(), ledger_check_balanced(),
    ledger_balance_guard(), ledger_apply_entry();
