@canary @guards
Feature: A refused request keeps nothing under its idempotency key
  A request the platform refuses moves nothing and is not remembered: the client may use
  the same idempotency key again for a request the platform can accept.

  Background:
    Given the platform is healthy and speaks the contract
    And a wallet funded with 50.00 EUR through stripe

  @idempotency @P-idem-5 @P-error-4
  Scenario: A key whose withdrawal was refused can be used for a new withdrawal
    When the customer withdraws 10.00 with idempotency key "wd-first-1"
    And the customer withdraws 60.00 with idempotency key "wd-refused-1"
    Then it is refused as insufficient funds
    And the wallet shows 40.00 available, nothing held and nothing pending
    When the customer withdraws 20.00 with idempotency key "wd-refused-1"
    Then the wallet shows 20.00 available, nothing held and nothing pending
    And money is conserved in the ledger and agrees with the payment provider
