@canary @guards
Feature: Money guards
  The platform refuses what would create or lose money, and refuses it completely:
  a refused request moves nothing.

  Background:
    Given the platform is healthy and speaks the contract
    And a wallet funded with 50.00 EUR through stripe

  @overdraft @P-hold-3 @P-error-4
  Scenario: A hold larger than the available balance is refused
    When a hold of 50.01 is attempted
    Then it is refused as insufficient funds
    And the wallet shows 50.00 available, nothing held and nothing pending

  @P-error-4
  Scenario: A withdrawal above the available balance is refused, one of all of it is not
    When a withdrawal of 50.01 through stripe is attempted
    Then it is refused as insufficient funds
    And the wallet shows 50.00 available, nothing held and nothing pending
    When the customer withdraws 50.00 through stripe
    Then the wallet shows nothing available, nothing held and nothing pending

  @double_burn @P-hold-1 @P-hold-6 @P-error-4 @P-ledger-1 @P-ledger-2 @P-ledger-3
  Scenario: A burned hold cannot be burned or released again
    Given a hold of 20.00 is placed
    And the hold is burned in full
    And another hold of 25.00 is placed
    When the first hold is burned again
    Then it is refused because the hold is already resolved
    When the first hold is released
    Then it is refused because the hold is already resolved
    And the wallet shows 5.00 available, 25.00 held and nothing pending
    And money is conserved in the ledger and agrees with the payment provider

  @currency @P-error-5 @P-error-4
  Scenario: A hold in another currency than the wallet's is refused
    When a hold of 10.00 USD is attempted
    Then it is refused for the currency
    And the wallet shows 50.00 available, nothing held and nothing pending

  @idempotency @P-idem-1 @P-idem-3
  Scenario: A retried withdrawal with the same idempotency key moves money once
    When the customer withdraws 20.00 with idempotency key "wd-retry-1"
    And the customer retries the same withdrawal with idempotency key "wd-retry-1"
    Then both answers name the same withdrawal
    And the wallet shows 30.00 available, nothing held and nothing pending
    When the customer withdraws 5.00 with idempotency key "wd-retry-1"
    Then it is refused because the idempotency key was used for another request
    And the wallet shows 30.00 available, nothing held and nothing pending

  @idempotency @P-idem-1
  Scenario: A retried hold with the same idempotency key holds once
    When a hold of 15.00 is placed with idempotency key "hold-retry-1"
    And the same hold request is retried with idempotency key "hold-retry-1"
    Then both answers name the same hold
    And the wallet shows 35.00 available, 15.00 held and nothing pending

  @idempotency @P-idem-1 @P-idem-4
  Scenario: The same hold sent several times at once holds once
    A client that retries before the first answer arrives sends the same request again
    while the first is still running.
    When a hold of 15.00 is sent 6 times at once with idempotency key "hold-at-once-1"
    Then the answers name one hold and the others were told it was in progress
    And the wallet shows 35.00 available, 15.00 held and nothing pending

  @idempotency @P-idem-1 @P-idem-4
  Scenario: The same withdrawal sent several times at once pays out once
    When the customer withdraws 20.00 6 times at once with idempotency key "wd-at-once-1"
    Then the answers name one withdrawal and the others were told it was in progress
    And the wallet shows 30.00 available, nothing held and nothing pending
