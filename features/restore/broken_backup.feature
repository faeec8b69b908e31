@restore
Feature: A broken backup is found, and never half-restored
  A backup can be damaged without anyone noticing: a dump cut short when the backup disk
  filled up, a write-ahead log segment lost from the archive. The drill must find the
  damage and end NO-GO loudly, naming it. It must never leave a database that looks
  restored but holds only part of the data.

  Scenario: A dump cut short by a full disk is found, and nothing is half-restored
    Given a primary database holding the platform's books: 1000 customers and 2000 transfers made through its API
    And the primary has been backed up with a logical dump
    But the dump was cut short when the backup disk filled up
    When disaster strikes and the primary is lost
    And the dump is restored into a fresh server
    Then the drill ends NO-GO and names the damaged dump
    And nothing was left half-restored

  Scenario: A write-ahead log segment missing from the archive is found before anything is restored
    Given a primary database that archives its write-ahead log, holding the platform's books: 1000 customers and 2000 transfers made through its API
    And a base backup of the primary has been taken and verified
    And customers keep moving money after the backup
    And a recovery point has been marked
    But a write-ahead log segment written after the backup is missing from the archive
    When disaster strikes and the primary is lost
    And the base backup is recovered into a fresh server up to the recovery point
    Then the drill ends NO-GO and names the missing write-ahead log segment
    And nothing was left half-restored
