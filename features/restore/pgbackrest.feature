@restore_pgbackrest
Feature: A pgBackRest repository restores to a named restore point, and damage to it is found
  With `[drills] backup_engine = "pgbackrest"` the point-in-time drill backs the primary up
  with pgBackRest: a stanza, an encrypted repository, WAL pushed by archive-push, a full
  backup and an incremental one taken while customers move money. The recovery point is a
  restore point (pg_create_restore_point) made while traffic runs: the point-in-time feature
  restores to its time (`pgbackrest restore --type=time`), the scenario tagged
  restore_by_name to its name (`--type=name`). A repository can be damaged without anyone
  noticing: a backup file whose bytes changed on disk, a passphrase that is not the
  repository's. The drill must find the damage before it restores anything and end NO-GO,
  naming it. (These scenarios run only with the pgbackrest engine; a WAL segment lost from
  the repository's archive is the broken-backup feature's own scenario.)

  Background:
    Given a primary database that archives its write-ahead log, holding the platform's books: 1000 customers and 2000 transfers made through its API
    And a base backup of the primary has been taken and verified
    And customers keep moving money after the backup
    And a recovery point has been marked

  @restore_by_name
  Scenario: The repository restores to the recovery point by its name
    When customers go on moving money until disaster strikes and the primary is lost
    And the base backup is recovered into a fresh server up to the recovery point
    Then every table holds exactly the rows it held at the recovery point
    And the restored database passes the storage integrity check
    And the ledger invariants hold on the restored database
    And a canary money loop passes against the restored database
    And the recovery time and the data lost are within their targets

  Scenario: A backup file damaged in the repository is found by pgbackrest verify
    Given a file of the full backup was damaged in the repository
    When disaster strikes and the primary is lost
    And the base backup is recovered into a fresh server up to the recovery point
    Then the drill ends NO-GO and names the damaged backup
    And nothing was left half-restored

  Scenario: A wrong passphrase for the encrypted repository is found
    Given the configuration the restore reads has a wrong passphrase for the repository
    When disaster strikes and the primary is lost
    And the base backup is recovered into a fresh server up to the recovery point
    Then the drill ends NO-GO and names the wrong passphrase
    And nothing was left half-restored
