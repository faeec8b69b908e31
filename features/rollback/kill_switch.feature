@rollback @kill_switch
Feature: Withdrawal kill switch
  When payouts must stop at once (a payment provider incident, a fraud alert), the operator
  switches withdrawals off while customers are withdrawing. Every withdrawal is then either
  accepted in full or refused without moving money, the ones accepted still complete, and
  every balance stays consistent; switching withdrawals back on restores service.

  Background:
    Given the platform runs the previous release with live balances
    And the platform has answered requests made with idempotency keys, to be retried after the change

  @P-withdraw-4 @P-settings-1 @P-idem-1
  Scenario: Withdrawals are switched off while customers are withdrawing, then on again
    Failure: payouts must stop at once while customers are withdrawing
    Rollback: switch withdrawals back on once the incident is over
    Given the steady state holds before the change
    When customers withdraw concurrently and the operator switches withdrawals off mid-flight
    Then every withdrawal was either accepted in full or refused as switched off without moving money
    And the withdrawals accepted before the switch complete
    And the steady state still holds after the change
    When the operator switches withdrawals back on
    Then the steady state is back, with the effects of the completed operations
    And the rollback finished within the rollback time target
    And a new withdrawal is accepted and completes
    And no finance job is stuck
    And money is conserved in every wallet and agrees with the payment provider
