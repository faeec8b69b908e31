@contract
Feature: The platform answers the HTTP contract to the letter
  What golive's own client never sends, another client will: an amount written as a float or
  a string, a currency the platform does not support, a body that is not a JSON object, a
  malformed idempotency key, null in an optional field. The platform refuses each with the
  contract's own error and writes nothing, and tells a client when an answer is a replay.
  These scenarios apply to a platform that speaks the HTTP contract; a target driven through
  an adapter records them as not applicable.

  Background:
    Given the platform is healthy and speaks the contract
    And a wallet funded with 50.00 EUR through stripe

  @P-idem-2 @P-idem-1
  Scenario: A replayed answer says it is a replay
    When the same hold of 10.00 is sent twice with one idempotency key
    Then the second answer is the first one, marked as replayed
    And the wallet shows 40.00 available, 10.00 held and nothing pending

  @P-money-3 @P-error-3
  Scenario Outline: A <request> request with the amount written as <amount> is refused
    Given a hold of 20.00 is placed
    When a <request> is sent with the amount written as <amount>
    Then the platform refuses it with invalid_field, naming amount
    And the wallet shows 30.00 available, 20.00 held and nothing pending

    Examples:
      | request    | amount |
      | hold       | 1000.0 |
      | hold       | 1e3    |
      | hold       | "1000" |
      | hold       | 10.5   |
      | deposit    | 1e3    |
      | withdrawal | 1000.0 |
      | transfer   | "1000" |
      | burn       | 1e3    |

  @P-money-4 @P-error-3
  Scenario Outline: A <request> request in <code>, a currency the platform does not support, is refused
    When a <request> is sent in the currency <code>
    Then the platform refuses it with unknown_currency, naming currency
    And the wallet shows 50.00 available, nothing held and nothing pending

    Examples:
      | request    | code |
      | wallet     | XTS  |
      | wallet     | XXX  |
      | hold       | XTS  |
      | deposit    | XXX  |
      | withdrawal | XTS  |
      | transfer   | XXX  |

  @P-error-1
  Scenario Outline: A <request> request whose body is <body> is refused
    When a <request> is sent whose body is <body>
    Then the platform refuses it with invalid_json
    And the wallet shows 50.00 available, nothing held and nothing pending

    Examples:
      | request    | body          |
      | hold       | a JSON array  |
      | hold       | a JSON string |
      | hold       | a JSON number |
      | hold       | JSON null     |
      | hold       | broken JSON   |
      | hold       | empty         |
      | wallet     | empty         |
      | deposit    | a JSON array  |
      | withdrawal | empty         |
      | transfer   | JSON null     |

  @P-error-2
  Scenario Outline: A hold request with <key> is refused
    When a hold is sent with <key>
    Then the platform refuses it with invalid_idempotency_key
    And the wallet shows 50.00 available, nothing held and nothing pending

    Examples:
      | key                                           |
      | an empty idempotency key                      |
      | an idempotency key of 256 characters          |
      | an idempotency key holding a tab              |
      | an idempotency key holding a non-ASCII letter |

  @P-null-1 @P-hold-7
  Scenario: A burn with null as its amount and its account burns the whole hold
    Given a hold of 20.00 is placed
    When the hold is burned with its amount and its account given as null
    Then the whole hold was burned
    And the wallet shows 30.00 available, nothing held and nothing pending

  @P-null-1
  Scenario: A deposit naming its payment provider as null goes where one naming none goes
    When the customer deposits 5.00 naming no payment provider, then as null
    Then both deposits went to the same payment provider
    And the wallet shows 50.00 available, nothing held and 10.00 pending

  @P-hold-8
  Scenario: A burn naming another wallet than the hold's is refused
    Given a hold of 20.00 is placed
    When the hold is burned naming another wallet
    Then the platform refuses it with hold_account_mismatch, naming account_id
    And the wallet shows 30.00 available, 20.00 held and nothing pending
