@restore_pgbackrest
Feature: A damaged pgBackRest repository is found before anything is restored
  With `[drills] backup_engine = "pgbackrest"` the point-in-time drill backs the primary up
  with pgBackRest: a stanza, an encrypted repository, WAL pushed by archive-push, a full
  backup and an incremental one taken while customers move money. A repository can be
  damaged without anyone noticing: a backup file whose bytes changed on disk, a passphrase
  that is not the repository's. The drill must find the damage before it restores anything
  and end NO-GO, naming it. (These scenarios run only with the pgbackrest engine; a WAL
  segment lost from the repository's archive is the broken-backup feature's own scenario.)

  Background:
    Given a primary database that archives its write-ahead log, holding the platform's books: 1000 customers and 2000 transfers made through its API
    And a base backup of the primary has been taken and verified
    And customers keep moving money after the backup
    And a recovery point has been marked

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
