@contract @seed_balance
Feature: No balance passes the largest amount the contract allows
  The contract counts money in signed 64-bit integers of minor units: no balance may pass
  9223372036854775807. No customer reaches that through a payment provider (it would take
  about 9.2e10 deposits), so the platform's own tooling books the wallets of this feature
  directly (the seed_balance operation). A target that does not configure that operation
  does not run this feature: the run lists it as not checked on that target.

  Background:
    Given the platform is healthy and speaks the contract

  @P-error-6
  Scenario: A transfer that would take a wallet past the largest balance is refused, one up to it is not
    Given a wallet booked up to 1.00 EUR short of the largest balance
    And 1.01 EUR booked onto another wallet
    When 1.01 EUR is transferred from the other wallet to the first
    Then the platform refuses it with amount_out_of_range, naming amount
    And both wallets still hold what they were booked with
    When 1.00 EUR is transferred from the other wallet to the first
    Then the first wallet holds the largest balance and the other one 0.01 EUR
