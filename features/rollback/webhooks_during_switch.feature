@rollback @webhooks_during_switch
Feature: Webhooks during the switch
  While the app is switched from one release to the other, the platform is down and the
  payment providers keep confirming deposits. Their retries must deliver once the platform
  is back, and every deposit is credited exactly once, even when a confirmation arrives twice.

  Background:
    Given the platform runs the previous release with live balances
    And the platform has answered requests made with idempotency keys, to be retried after the change

  @P-deposit-1 @P-webhook-4 @P-webhook-8 @P-jobs-1 @P-idem-1
  Scenario: Deposits confirmed while the platform is down are credited once after the rollback
    Failure: the platform is down for the app switch while both payment providers confirm deposits
    Rollback: switch the app back to the previous release, then downgrade the schema; the payment providers retry
    Given the steady state holds before the change
    When the new release is deployed: the schema is migrated, then the app is switched
    Then the steady state still holds after the change
    When customers deposit through both payment providers, whose confirmations go out during the switch, each twice
    And the new release is rolled back while the payment providers deliver the confirmations
    And the payment providers retry their deliveries
    Then the steady state is back, with the effects of the completed operations
    And the rollback finished within the rollback time target
    And the payment providers' first deliveries failed while the platform was down and their retries were acknowledged
    And each deposit made during the switch is credited exactly once
    And no finance job is stuck
    And money is conserved in every wallet and agrees with the payment provider
