@rollback @failed_upgrade
Feature: A failed upgrade is rolled back
  A schema migration can fail halfway in production: a long report holds a lock on a table
  the migration alters, and the deploy's lock timeout stops the migration after it has
  already altered other tables. The rollback must leave the previous schema intact, exactly
  as it was, and the platform serving with every balance unchanged.

  Background:
    Given the platform runs the previous release with live balances
    And the platform has answered requests made with idempotency keys, to be retried after the change

  @P-service-2 @P-jobs-1 @P-idem-1
  Scenario: The schema migration stops partway on a lock and the upgrade is rolled back
    Failure: the new schema's migration stops partway on its lock timeout while another session holds a lock on a table it alters
    Rollback: keep the previous release's app, and migrate the schema back to its version, while the lock is still held
    Given the steady state holds before the change
    And a long report holds a lock on a table the migration alters
    When the new release is deployed and its schema migration fails partway on the lock
    And the failed upgrade is rolled back to the previous release
    Then the steady state is back, with the effects of the completed operations
    And the rollback finished within the rollback time target
    And the platform runs the previous release on the schema it was rolled back to
    And the schema is exactly the one before the release
    And no finance job is stuck
    And the canary money loop passes on the previous release
    And money is conserved in every wallet and agrees with the payment provider
