-- A small double-entry ledger for the restore library's own tests: the shape of a money
-- platform's schema (identity and uuid keys, CHECKs, a deferred balance trigger, indexes),
-- with invariants enforced by the database. Not the reference platform's schema.
CREATE TABLE ledger_accounts (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind      text NOT NULL CHECK (kind IN ('customer_wallet', 'psp_clearing')),
    owner     text NOT NULL,
    currency  text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    balance   bigint NOT NULL DEFAULT 0,
    CONSTRAINT ledger_accounts_no_overdraft CHECK (balance >= 0 OR kind = 'psp_clearing'),
    UNIQUE (kind, owner, currency)
);
CREATE TABLE ledger_transactions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ledger_entries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  uuid NOT NULL REFERENCES ledger_transactions (id),
    account_id      bigint NOT NULL REFERENCES ledger_accounts (id),
    currency        text NOT NULL,
    direction       text NOT NULL CHECK (direction IN ('debit', 'credit')),
    amount          bigint NOT NULL CHECK (amount > 0),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id);
CREATE INDEX ledger_entries_transaction ON ledger_entries (transaction_id);

CREATE FUNCTION ledger_apply_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ledger_accounts
       SET balance = balance + CASE WHEN NEW.direction = 'credit' THEN NEW.amount ELSE -NEW.amount END
     WHERE id = NEW.account_id;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_entries_apply AFTER INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_apply_entry();

CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ledger_entries WHERE transaction_id = NEW.transaction_id
               GROUP BY currency
               HAVING sum(CASE direction WHEN 'credit' THEN amount ELSE -amount END) <> 0) THEN
        RAISE EXCEPTION 'transaction % does not balance', NEW.transaction_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_transaction_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();

-- post(from, to, amount): one balanced transfer between two accounts of one currency
CREATE FUNCTION post(debit_account bigint, credit_account bigint, minor bigint) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    tx uuid := gen_random_uuid();
    cur text := (SELECT currency FROM ledger_accounts WHERE id = debit_account);
BEGIN
    INSERT INTO ledger_transactions (id, kind) VALUES (tx, 'transfer');
    INSERT INTO ledger_entries (transaction_id, account_id, currency, direction, amount)
    VALUES (tx, debit_account, cur, 'debit', minor), (tx, credit_account, cur, 'credit', minor);
    RETURN tx;
END $$;
