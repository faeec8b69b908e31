@restore_operator
Feature: Restore an existing backup
  An operator hands the drill an existing backup — last night's production dump, or a base
  backup with its write-ahead log archive — with `golive drill restore`. The drill restores
  it into a throwaway server and runs every check it can without the source: the backup's
  own verification, storage integrity, the ledger invariants and a canary money loop.
  Only `golive drill restore` runs this scenario; it names the backup.

  Scenario: The operator's backup restores into a throwaway server and passes every check
    Given the backup the operator named
    When it is restored into a throwaway server
    Then the restored database passes the storage integrity check
    And the ledger invariants hold on the restored database
    And a canary money loop passes against the restored database
    And the restore time is within the recovery time target
