-- FAULT downgrade-forgets-keys: run after the v2 → v1 downgrade. "v2 stored its answers with
-- fee_amount, which v1 does not know: clear the key store, clients just retry." Every
-- Idempotency-Key answered before the rollback is forgotten, so a client's retry after the
-- rollback is taken as a new request and its effect happens a second time.
DELETE FROM idempotency_keys;
