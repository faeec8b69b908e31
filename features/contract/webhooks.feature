@contract
Feature: A payment provider's notification is acknowledged only when its effect is there
  The platform answers a notification with success only after its effect is committed, so
  the provider may stop retrying; and it refuses a correctly signed body that is not an event,
  applying nothing. These scenarios apply to a platform that speaks the HTTP contract.

  Background:
    Given the platform is healthy and speaks the contract
    And a new customer wallet in EUR

  @P-webhook-5 @P-webhook-9 @P-webhook-12
  Scenario Outline: When the platform acknowledges a <psp> notification, the deposit is already credited
    When the customer deposits 25.00 through <psp>
    And the payment provider delivers the deposit's notification
    Then the deposit was credited by the time the platform acknowledged its notification
    And the wallet shows 25.00 available, nothing held and nothing pending

    Examples:
      | psp       |
      | stripe    |
      | adyen     |
      | braintree |

  @P-webhook-6
  Scenario Outline: A correctly signed Stripe body that is <shape> is refused and applies nothing
    Given the payment provider holds webhooks back for a minute
    When the customer deposits 30.00 through stripe
    And a correctly signed Stripe body that is <shape> is sent for the deposit
    Then the platform refuses it as a bad request
    And the deposit is pending
    And the wallet shows nothing available, nothing held and 30.00 pending
    When a minute passes at the payment provider
    And the payment provider reports the outcome
    Then the deposit is succeeded
    And the wallet shows 30.00 available, nothing held and nothing pending

    Examples:
      | shape                             |
      | the payment itself, not an event  |
      | an event without its data         |
      | an event without an id            |
      | a list holding the deposit's event |
