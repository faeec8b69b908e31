@webhooks
Feature: Braintree notifications delivered more than once credit once
  Braintree, like every payment provider, may notify the platform of one settlement more
  than once. The platform must recognise the same notification and credit the deposit once.

  Background:
    Given the platform is healthy and speaks the contract
    And a new customer wallet in EUR

  @duplicates @P-deposit-1 @P-webhook-11
  Scenario Outline: A settlement notification delivered several times through <psp> credits once
    Given the payment provider will deliver every webhook 3 times
    When the customer deposits 25.00 through <psp>
    And the payment provider reports the outcome
    Then the deposit is succeeded
    And the payment provider delivered the deposit's webhook more than once
    And the wallet shows 25.00 available, nothing held and nothing pending
    And money is conserved in the ledger and agrees with the payment provider

    Examples:
      | psp       |
      | braintree |
