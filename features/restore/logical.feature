@restore
Feature: Logical backup and restore
  A backup nobody has restored is a hope, not a backup. Before go-live we take a logical
  backup of a primary that holds real-looking books, lose the primary, restore the backup
  into a fresh server, and prove that nothing was lost or changed on the way, that the
  books still balance, and that customers can move money again within the recovery target.

  Background:
    Given a primary database holding the platform's books: 1000 customers and 2000 transfers made through its API

  @P-ledger-1 @P-ledger-2 @P-idem-1
  Scenario: A logical backup restores into a fresh server, complete and correct
    When the primary is backed up with a logical dump
    And disaster strikes and the primary is lost
    And the dump is restored into a fresh server
    Then the restored schema is the primary's, object for object
    And every table holds exactly the rows it held when the backup was taken
    And the restored database passes the storage integrity check
    And the ledger invariants hold on the restored database
    And a canary money loop passes against the restored database
    And the recovery time and the data lost are within their targets
