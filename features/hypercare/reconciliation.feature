@hypercare @reconciliation
Feature: The daily reconciliation matches the ledger with the payment providers
  Every day operations reconciles the platform's ledger with the settlement reports of the
  payment providers. Each line is matched, missing in the ledger, missing at the payment
  provider, an amount mismatch or a duplicate. Any mismatch makes the run fail, so that
  cron raises the alarm, and the Markdown, HTML and CSV reports name the line.

  Background:
    Given the platform is healthy and speaks the contract
    And the hypercare watch starts now

  Scenario: A day of deposits and payouts through both payment providers reconciles
    Given a wallet funded with 100.00 EUR through stripe
    And a wallet funded with 50.00 EUR through adyen
    When the customer withdraws 20.00 EUR through adyen
    And the customer withdraws 10.00 EUR through stripe
    And the payment provider pays the payout out
    And the day is reconciled
    Then every line of the day is matched

  @P-withdraw-2
  Scenario Outline: A payout through <psp> that fails and is refunded reconciles
    Given a wallet funded with 80.00 EUR through <psp>
    And the payment provider will fail the next payout
    When the customer withdraws 50.00 EUR through <psp>
    And the payment provider reports the payout failed
    And the day is reconciled
    Then the withdrawal is failed
    And every line of the day is matched

    Examples:
      | psp    |
      | stripe |
      | adyen  |

  @P-deposit-1 @P-webhook-4 @P-webhook-8
  Scenario Outline: A deposit webhook delivered twice through <psp> is booked once
    Given the payment provider will deliver every webhook 2 times
    And a wallet funded with 60.00 EUR through <psp>
    When the day is reconciled
    Then every line of the day is matched

    Examples:
      | psp    |
      | stripe |
      | adyen  |

  Scenario: A payment whose webhook never reached the platform is missing in the ledger
    Given a new customer wallet in EUR
    And the payment provider will lose every webhook from now on
    When the customer deposits 25.00 through stripe
    And the payment provider reports the outcome
    And the day is reconciled
    Then reconciliation reports missing in the ledger for the deposit
    And reconciliation fails so that cron raises the alarm
