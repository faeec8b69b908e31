@rollback @psp_failover
Feature: Payment provider failover
  When the primary payment provider fails, the operator routes new deposits and payouts to
  the secondary, and back once the primary has recovered. Requests refused during the outage
  move no money, and no payout is ever made twice.

  Background:
    Given the platform runs the previous release with live balances
    And the platform has answered requests made with idempotency keys, to be retried after the change

  @P-deposit-5 @P-withdraw-3 @P-settings-1 @P-idem-1
  Scenario Outline: <primary> fails; deposits and payouts move to <secondary> and back
    Failure: the primary payment provider <primary> answers every request with a server error
    Rollback: once <primary> has recovered, route new deposits and payouts back to it
    Given the platform routes new deposits and payouts to <primary>
    And the steady state holds before the change
    When <primary> fails and answers every request with a server error
    Then a deposit and a withdrawal routed to <primary> are refused and move no money
    When the operator routes new deposits and payouts to <secondary>
    Then new deposits and payouts go through <secondary> and complete
    And the steady state still holds after the change
    When <primary> recovers and the operator routes deposits and payouts back to it
    Then the steady state is back, with the effects of the completed operations
    And the rollback finished within the rollback time target
    And new deposits and payouts go through <primary> and complete
    And no payout was made twice
    And no finance job is stuck
    And money is conserved in every wallet and agrees with the payment provider

    Examples:
      | primary | secondary |
      | stripe  | adyen     |
