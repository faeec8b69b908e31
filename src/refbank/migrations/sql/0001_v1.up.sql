-- Schema v1 of the reference platform: a double-entry ledger whose invariants Postgres enforces.

-- Customer accounts (the contract's "accounts"). Each has a wallet and a held ledger account.
CREATE TABLE accounts (
    id          uuid PRIMARY KEY,
    owner_ref   text NOT NULL CHECK (length(owner_ref) BETWEEN 1 AND 200),
    currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Ledger accounts. balance = credits - debits, maintained only by the ledger_entries trigger.
-- owner: the customer account id (wallet, held) or the system account's name
-- ("psp_clearing:stripe:EUR", "payouts_in_transit:adyen:EUR", "house_revenue:EUR").
CREATE TABLE ledger_accounts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL,
    owner       text NOT NULL,
    currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    balance     bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ledger_accounts_kind CHECK (kind IN (
        'customer_wallet', 'customer_held', 'psp_clearing', 'payouts_in_transit', 'house_revenue')),
    -- no negative available balance: only the PSP clearing asset account runs below zero
    CONSTRAINT ledger_accounts_no_overdraft CHECK (balance >= 0 OR kind = 'psp_clearing'),
    CONSTRAINT ledger_accounts_owner UNIQUE (kind, owner, currency),
    CONSTRAINT ledger_accounts_id_currency UNIQUE (id, currency)
);

CREATE TABLE ledger_transactions (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL,
    reference   text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger_entries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  uuid NOT NULL REFERENCES ledger_transactions (id),
    account_id      bigint NOT NULL,
    currency        text NOT NULL,
    direction       text NOT NULL CHECK (direction IN ('debit', 'credit')),
    amount          bigint NOT NULL CONSTRAINT ledger_entries_amount_positive CHECK (amount > 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- a leg's currency is its account's currency
    CONSTRAINT ledger_entries_account_currency FOREIGN KEY (account_id, currency)
        REFERENCES ledger_accounts (id, currency)
);
CREATE INDEX ledger_entries_transaction ON ledger_entries (transaction_id);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id);

-- Every leg moves its account's materialized balance (whose CHECK refuses an overdraft).
CREATE FUNCTION ledger_apply_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ledger_accounts
       SET balance = balance + CASE WHEN NEW.direction = 'credit' THEN NEW.amount ELSE -NEW.amount END
     WHERE id = NEW.account_id;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_entries_apply AFTER INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_apply_entry();

-- A balance changes only through a ledger leg; a new ledger account starts at zero.
CREATE FUNCTION ledger_balance_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.balance <> 0 THEN
        RAISE EXCEPTION 'ledger account % must start at balance 0, not %', NEW.owner, NEW.balance
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_balance_from_entries';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.balance IS DISTINCT FROM OLD.balance AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'balance of ledger account % is derived from its ledger entries: post a transaction instead of updating it', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_balance_from_entries';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.id <> OLD.id OR NEW.currency <> OLD.currency) THEN
        RAISE EXCEPTION 'ledger account % cannot change its id or currency', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_balance_from_entries';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ledger_accounts_guard BEFORE INSERT OR UPDATE ON ledger_accounts
    FOR EACH ROW EXECUTE FUNCTION ledger_balance_guard();

-- Double entry: at commit, each transaction's legs sum to zero per currency.
CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT currency,
           sum(amount) FILTER (WHERE direction = 'debit') AS debits,
           sum(amount) FILTER (WHERE direction = 'credit') AS credits
      INTO bad
      FROM ledger_entries
     WHERE transaction_id = NEW.transaction_id
     GROUP BY currency
    HAVING coalesce(sum(amount) FILTER (WHERE direction = 'debit'), 0)
        <> coalesce(sum(amount) FILTER (WHERE direction = 'credit'), 0)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % does not balance in %: debits %, credits %',
            NEW.transaction_id, bad.currency, coalesce(bad.debits, 0), coalesce(bad.credits, 0)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_transaction_balanced';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_transaction_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();

-- The ledger is append-only.
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused (post a correcting transaction instead)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- Holds: pending, then burned | released | expired, exactly once.
-- ledger_posted = false marks a reservation kept outside the ledger (deferred posting); the
-- correct service never makes one (see docs/faults.md: hold-overdraft, hold-race).
CREATE TABLE holds (
    id               uuid PRIMARY KEY,
    account_id       uuid NOT NULL REFERENCES accounts (id),
    amount           bigint NOT NULL CHECK (amount > 0),
    currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'burned', 'released', 'expired')),
    burned_amount    bigint NOT NULL DEFAULT 0 CHECK (burned_amount >= 0),
    released_amount  bigint NOT NULL DEFAULT 0 CHECK (released_amount >= 0),
    ledger_posted    boolean NOT NULL DEFAULT true,
    expires_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    resolved_at      timestamptz,
    CONSTRAINT holds_resolution_adds_up CHECK (
        (status = 'pending' AND burned_amount = 0 AND released_amount = 0 AND resolved_at IS NULL)
        OR (status = 'burned' AND burned_amount > 0 AND burned_amount + released_amount = amount
            AND resolved_at IS NOT NULL)
        OR (status IN ('released', 'expired') AND burned_amount = 0 AND released_amount = amount
            AND resolved_at IS NOT NULL))
);
CREATE INDEX holds_pending_by_account ON holds (account_id) WHERE status = 'pending';
CREATE INDEX holds_pending_by_expiry ON holds (expires_at) WHERE status = 'pending';

CREATE FUNCTION holds_state_machine() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'hold % cannot be deleted', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'holds_resolved_once';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'pending' THEN
            RAISE EXCEPTION 'hold % must start pending, not %', NEW.id, NEW.status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'holds_resolved_once';
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'hold % is already %: a hold is resolved at most once', OLD.id, OLD.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'holds_resolved_once';
    END IF;
    IF NEW.id <> OLD.id OR NEW.account_id <> OLD.account_id OR NEW.amount <> OLD.amount
       OR NEW.currency <> OLD.currency OR NEW.ledger_posted <> OLD.ledger_posted THEN
        RAISE EXCEPTION 'hold % cannot change its account, amount, currency or posting', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'holds_resolved_once';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER holds_state_machine BEFORE INSERT OR UPDATE OR DELETE ON holds
    FOR EACH ROW EXECUTE FUNCTION holds_state_machine();

CREATE TABLE deposits (
    id              uuid PRIMARY KEY,
    account_id      uuid NOT NULL REFERENCES accounts (id),
    amount          bigint NOT NULL CHECK (amount > 0),
    currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    psp             text NOT NULL CHECK (psp IN ('stripe', 'adyen', 'braintree')),
    psp_reference   text,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    failure_reason  text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX deposits_psp_reference ON deposits (psp, psp_reference);
CREATE INDEX deposits_pending_by_account ON deposits (account_id) WHERE status = 'pending';

CREATE TABLE withdrawals (
    id              uuid PRIMARY KEY,
    account_id      uuid NOT NULL REFERENCES accounts (id),
    amount          bigint NOT NULL CHECK (amount > 0),
    currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    psp             text NOT NULL CHECK (psp IN ('stripe', 'adyen', 'braintree')),
    psp_reference   text,
    status          text NOT NULL DEFAULT 'in_transit' CHECK (status IN ('in_transit', 'paid', 'failed')),
    failure_reason  text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX withdrawals_psp_reference ON withdrawals (psp, psp_reference);

CREATE TABLE transfers (
    id               uuid PRIMARY KEY,
    from_account_id  uuid NOT NULL REFERENCES accounts (id),
    to_account_id    uuid NOT NULL REFERENCES accounts (id),
    amount           bigint NOT NULL CHECK (amount > 0),
    currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    transaction_id   uuid REFERENCES ledger_transactions (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (from_account_id <> to_account_id)
);

-- PSP webhooks already applied (Stripe: event id; Adyen: pspReference:eventCode).
CREATE TABLE webhook_events (
    psp          text NOT NULL,
    event_key    text NOT NULL,
    event_type   text NOT NULL,
    outcome      text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (psp, event_key)
);

-- Idempotency-Key: the request's fingerprint and the response to replay.
CREATE TABLE idempotency_keys (
    key           text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 255),
    request_hash  text NOT NULL,
    status_code   integer,
    response      jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    completed_at  timestamptz
);

-- Finance jobs: work that waits on the PSP (a confirmation webhook, a payout).
CREATE TABLE finance_jobs (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('payout', 'deposit_confirmation')),
    state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    reference   uuid NOT NULL,
    detail      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, reference)
);
CREATE INDEX finance_jobs_state ON finance_jobs (state, created_at);

CREATE TABLE settings (
    id                   boolean PRIMARY KEY DEFAULT true CHECK (id),
    withdrawals_enabled  boolean NOT NULL DEFAULT true,
    primary_psp          text NOT NULL DEFAULT 'stripe' CHECK (primary_psp IN ('stripe', 'adyen', 'braintree'))
);
INSERT INTO settings DEFAULT VALUES;
