@canary
Feature: Canary money loop
  Before cutover, one customer journey runs through every money path of the release:
  a deposit through the payment provider, holds that are burned and released, a withdrawal
  and its payout. After every step the wallet shows exactly what it should, and at the end
  every cent is accounted for, in the ledger and at the payment provider.

  Background:
    Given the platform is healthy and speaks the contract

  @money_loop @P-service-1 @P-money-1 @P-deposit-1 @P-deposit-2 @P-hold-2 @P-hold-4
  @P-hold-5 @P-hold-9 @P-withdraw-1 @P-withdraw-2 @P-ledger-1 @P-ledger-2 @P-ledger-3
  Scenario Outline: The money loop through <psp> in <currency>
    Given a new customer wallet in <currency>
    When the customer deposits <deposit> through <psp>
    Then the wallet shows nothing available, nothing held and <deposit> pending
    When the payment provider confirms the deposit
    Then the wallet shows <deposit> available, nothing held and nothing pending
    When a hold of <hold> is placed
    Then the wallet shows <after_hold> available, <hold> held and nothing pending
    When the hold is burned in full
    Then the wallet shows <after_hold> available, nothing held and nothing pending
    When a hold of <hold> is placed
    And the hold is burned for <partial>
    Then the wallet shows <after_partial> available, nothing held and nothing pending
    When a hold of <hold> is placed
    And the hold is released
    Then the wallet shows <after_partial> available, nothing held and nothing pending
    When the customer withdraws <withdrawal> through <psp>
    Then the wallet shows <final> available, nothing held and nothing pending
    And the withdrawal is in transit
    When the payment provider pays the payout out
    Then the withdrawal is paid
    And the wallet shows <final> available, nothing held and nothing pending
    And money is conserved in the ledger and agrees with the payment provider

    Examples:
      | psp    | currency | deposit    | hold      | partial   | withdrawal | after_hold | after_partial | final     |
      | stripe | EUR      | 100.00     | 30.00     | 12.29     | 40.00      | 70.00      | 57.71         | 17.71     |
      | adyen  | EUR      | 100.00     | 30.00     | 12.29     | 40.00      | 70.00      | 57.71         | 17.71     |
      | stripe | USD      | 19.99      | 5.00      | 0.29      | 10.00      | 14.99      | 14.70         | 4.70      |
      | adyen  | JPY      | 10000      | 3000      | 1229      | 4000       | 7000       | 5771          | 1771      |
      | stripe | JPY      | 10000      | 3000      | 1229      | 4000       | 7000       | 5771          | 1771      |
      | adyen  | BHD      | 100.000    | 30.000    | 12.345    | 40.000     | 70.000     | 57.655        | 17.655    |
      | braintree | GBP   | 50.00      | 20.00     | 7.77      | 15.00      | 30.00      | 22.23         | 7.23      |

  @payout_failure @P-withdraw-2 @P-ledger-1 @P-ledger-2 @P-ledger-3
  Scenario Outline: A failed payout through <psp> refunds the wallet
    Given a wallet funded with 80.00 EUR through <psp>
    And the payment provider will fail the next payout
    When the customer withdraws 50.00 EUR through <psp>
    Then the wallet shows 30.00 EUR available, nothing held and nothing pending
    When the payment provider reports the payout failed
    Then the withdrawal is failed
    And the wallet shows 80.00 EUR available, nothing held and nothing pending
    And money is conserved in the ledger and agrees with the payment provider

    Examples:
      | psp    |
      | stripe |
      | adyen  |

  @deposit_failure @P-deposit-3
  Scenario Outline: A declined deposit through <psp> credits nothing
    Given a new customer wallet in EUR
    And the payment provider will decline the next payment
    When the customer deposits 60.00 through <psp>
    And the payment provider reports the outcome
    Then the deposit is failed
    And the wallet shows nothing available, nothing held and nothing pending
    And money is conserved in the ledger and agrees with the payment provider

    Examples:
      | psp    |
      | stripe |
      | adyen  |
