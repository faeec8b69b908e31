@rollback @release_rollback
Feature: Release and roll back with money in flight
  If the new release goes wrong after go-live, the operator rolls it back to the previous
  release: the app is switched back first (it runs on the new schema), then the schema is
  downgraded. Nothing may be lost or created on the way: afterwards every balance is the one
  before the release plus what the completed operations did, the money left in flight still
  lands, and no finance job is left stuck.

  Background:
    Given the platform runs the previous release with live balances
    And the platform has answered requests made with idempotency keys, to be retried after the change

  @P-service-2 @P-jobs-1 @P-deposit-1 @P-idem-1
  Scenario: The new release is rolled back with holds, deposits and payouts in flight
    Failure: the new release misbehaves after go-live while holds, deposits and payouts are in flight
    Rollback: switch the app back to the previous release, then downgrade the schema to its version
    Given the steady state holds before the change
    When the new release is deployed: the schema is migrated, then the app is switched
    Then the steady state still holds after the change
    And the canary money loop passes on the new release
    When money is left in flight: pending holds, pending deposits and payouts in transit
    And the new release is rolled back to the previous release
    Then the steady state is back, with the effects of the completed operations
    And the rollback finished within the rollback time target
    And the platform runs the previous release on the schema it was rolled back to
    And the schema is exactly the one before the release
    And the pending holds can still be burned or released
    And the pending deposits are credited when the payment provider confirms them
    And the payouts in transit complete
    And no finance job is stuck
    And the canary money loop passes on the previous release
    And money is conserved in every wallet and agrees with the payment provider
