@webhooks
Feature: Webhook delivery is at least once, and the platform credits exactly once
  Payment providers deliver events at least once, late, out of order and more than once.
  Whatever the delivery does, every deposit is credited exactly once.

  Background:
    Given the platform is healthy and speaks the contract
    And a new customer wallet in EUR

  @duplicates @P-deposit-1 @P-webhook-4 @P-webhook-8
  Scenario Outline: A webhook delivered several times through <psp> credits once
    Given the payment provider will deliver every webhook 3 times
    When the customer deposits 25.00 through <psp>
    And the payment provider reports the outcome
    Then the deposit is succeeded
    And the payment provider delivered the deposit's webhook more than once
    And the wallet shows 25.00 available, nothing held and nothing pending
    And money is conserved in the ledger and agrees with the payment provider

    Examples:
      | psp    |
      | stripe |
      | adyen  |

  @ordering @P-deposit-1
  Scenario: Events delivered out of order end in the right state
    Given the payment provider will deliver webhooks out of order
    When the customer deposits 10.00 through stripe
    And the customer deposits 20.00 through stripe
    And the customer deposits 30.00 through stripe
    And the payment provider reports the outcome
    Then every deposit is succeeded
    And the wallet shows 60.00 available, nothing held and nothing pending
    And money is conserved in the ledger and agrees with the payment provider

  @retries @P-deposit-4
  Scenario Outline: The PSP answering with <failure> leads to retries and exactly one credit
    Given the payment provider will answer the next request with <failure>
    When the customer deposits 40.00 through <psp>, retrying after a failure
    And the payment provider reports the outcome
    Then the deposit is succeeded
    And the payment provider charged the customer exactly once
    And the wallet shows 40.00 available, nothing held and nothing pending
    And money is conserved in the ledger and agrees with the payment provider

    Examples:
      | psp    | failure    |
      | stripe | a 5xx error |
      | stripe | a time-out |
      | adyen  | a 5xx error |

  @platform_down @P-deposit-1
  Scenario: The platform is down while the PSP delivers; retries credit once after it returns
    Given the payment provider holds webhooks back for a minute
    When the customer deposits 35.00 through stripe
    And the platform goes down
    And a minute passes at the payment provider
    Then the payment provider could not deliver the deposit's webhook
    When the platform comes back
    And the payment provider retries its deliveries
    Then the deposit is succeeded
    And the wallet shows 35.00 available, nothing held and nothing pending
    And money is conserved in the ledger and agrees with the payment provider
