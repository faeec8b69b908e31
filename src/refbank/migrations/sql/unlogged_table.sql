-- FAULT unlogged-table: "the ledger is write-heavy, skip the WAL for it". An UNLOGGED table
-- is truncated by crash recovery and is absent from physical backups and replicas.
ALTER TABLE ledger_entries SET UNLOGGED;
