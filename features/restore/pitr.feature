@restore
Feature: Point-in-time recovery
  The primary archives its write-ahead log and is backed up physically. Customers keep
  moving money after the backup; then disaster strikes. We recover the backup into a fresh
  server, replaying the archived log up to a point just before the disaster, and prove that
  the books are exactly as they were at that point, that they balance, and that customers
  can move money again within the recovery time and data-loss targets.

  Background:
    Given a primary database that archives its write-ahead log, holding the platform's books: 1000 customers and 2000 transfers made through its API

  @P-ledger-1 @P-ledger-2 @P-idem-1
  Scenario: The primary is recovered to just before the disaster
    Given a base backup of the primary has been taken and verified
    And customers keep moving money after the backup
    When a recovery point is marked just before the disaster
    And customers go on moving money until disaster strikes and the primary is lost
    And the base backup is recovered into a fresh server up to the recovery point
    Then the restored schema is the primary's, object for object
    And every table holds exactly the rows it held at the recovery point
    And the restored database passes the storage integrity check
    And the ledger invariants hold on the restored database
    And a canary money loop passes against the restored database
    And the recovery time and the data lost are within their targets
