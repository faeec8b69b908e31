@hypercare @stuck_jobs
Feature: Stuck finance jobs raise the alarm
  After go-live, operations runs the stuck-jobs check from cron. A finance job still
  pending past its SLA (payouts: 24 hours) is stuck: the check lists it and exits
  non-zero, so the alert fires. A confirmation that the payment provider sends late must
  still finish the job; a confirmation that never comes must be caught.

  Background:
    Given the platform is healthy and speaks the contract
    And the hypercare watch starts now

  @P-jobs-1 @P-withdraw-2
  Scenario Outline: A payout confirmed late through <psp> still finishes its job
    Given a wallet funded with 80.00 EUR through <psp>
    When the customer withdraws 50.00 EUR through <psp>
    And the payment provider confirms the payout late
    Then the withdrawal is paid
    And the stuck-jobs check finds no stuck finance job

    Examples:
      | psp    |
      | stripe |
      | adyen  |

  @P-jobs-1
  Scenario: A payout the payment provider never confirms is caught
    Given a wallet funded with 80.00 EUR through adyen
    And the payment provider will lose every webhook from now on
    When the customer withdraws 50.00 EUR through adyen
    And a day passes at the payment provider
    Then the withdrawal is in transit
    And the stuck-jobs check reports the payout as stuck and raises the alarm
    But the stuck-jobs check 23 hours into the day finds no stuck finance job
