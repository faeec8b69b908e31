@webhooks @signatures
Feature: Only genuine, fresh webhooks move money
  A webhook moves money only if it is signed with the provider's secret and is fresh.
  Forged or replayed notifications are refused and credit nothing.

  Background:
    Given the platform is healthy and speaks the contract
    And a new customer wallet in EUR

  @forged @P-deposit-1 @P-webhook-2 @P-webhook-7 @P-webhook-10
  Scenario Outline: A wrongly signed <psp> webhook is refused and credits nothing
    Given the payment provider will sign webhooks with the wrong secret
    When the customer deposits 45.00 through <psp>
    And the payment provider reports the outcome
    Then the platform refused every delivery of the deposit's webhook
    And the deposit is pending
    And the wallet shows nothing available, nothing held and 45.00 pending

    Examples:
      | psp       |
      | stripe    |
      | adyen     |
      | braintree |

  @replay @P-webhook-3
  Scenario: A webhook with a stale timestamp (a replay) is refused
    Given the payment provider will sign webhooks with a timestamp an hour old
    When the customer deposits 15.00 through stripe
    And the payment provider reports the outcome
    Then the platform refused every delivery of the deposit's webhook
    And the deposit is pending
    And the wallet shows nothing available, nothing held and 15.00 pending

  @rotation @P-webhook-1
  Scenario: During a webhook secret rotation both signatures are accepted
    Given the payment provider rotates its webhook secret and signs with the old and the new one
    When the customer deposits 12.00 through stripe
    And the payment provider reports the outcome
    Then the deposit is succeeded
    When the platform is switched to the new webhook secret only
    And the customer deposits 13.00 through stripe
    And the payment provider reports the outcome
    Then every deposit is succeeded
    And the wallet shows 25.00 available, nothing held and nothing pending
