@env
Feature: The production environment is ready for go-live
  Before cutover the release manager checks the production environment against the
  production profile and the waiver register. Every problem is a finding with an id and a
  risk level. A finding may be waived by a named owner until a deadline, never beyond it.
  Secret values are never shown: the check prints fingerprints only.

  Scenario: A correctly configured production environment is ready
    Given a production environment with live keys, real webhook secrets and a TLS database
    When the environment is checked against the production profile
    Then the environment is ready
    And no finding is reported
    And no secret value is shown, only fingerprints

  Scenario Outline: <problem> is a finding
    Given a production environment with live keys, real webhook secrets and a TLS database
    But <variable> is set to <value>
    When the environment is checked against the production profile
    Then the environment is not ready
    And the only finding is "<finding>" with <risk> risk
    And no secret value is shown, only fingerprints

    Examples:
      | problem                              | variable              | value                      | finding                                   | risk |
      | A test-mode Stripe key               | STRIPE_SECRET_KEY     | a test-mode key            | stripe-test-key:STRIPE_SECRET_KEY         | high |
      | A publishable key as the secret key  | STRIPE_SECRET_KEY     | a publishable key          | stripe-key-form:STRIPE_SECRET_KEY         | high |
      | A webhook secret of the wrong form   | STRIPE_WEBHOOK_SECRET | a secret of the wrong form | webhook-secret-form:STRIPE_WEBHOOK_SECRET | high |
      | A placeholder webhook secret         | STRIPE_WEBHOOK_SECRET | a placeholder              | secret-placeholder:STRIPE_WEBHOOK_SECRET  | high |
      | An empty Adyen API key               | ADYEN_API_KEY         | an empty value             | secret-missing:ADYEN_API_KEY              | high |
      | An Adyen HMAC key that is not hex    | ADYEN_HMAC_KEY        | a key that is not hex      | adyen-hmac-key-form:ADYEN_HMAC_KEY        | high |
      | A SQLite database                    | DATABASE_URL          | a SQLite file              | database-sqlite:DATABASE_URL              | high |
      | A database without TLS               | DATABASE_URL          | a database URL without TLS | database-no-tls:DATABASE_URL              | high |

  Scenario: A required secret that is not set at all is a finding
    Given a production environment with live keys, real webhook secrets and a TLS database
    But ADYEN_HMAC_KEY is not set
    When the environment is checked against the production profile
    Then the environment is not ready
    And the only finding is "secret-missing:ADYEN_HMAC_KEY" with high risk

  Scenario: A waived finding is accepted until its deadline
    Given a production environment with live keys, real webhook secrets and a TLS database
    But STRIPE_SECRET_KEY is set to a test-mode key
    And the waiver register:
      """
      go_live: 2025-12-26T12:00:00Z
      waivers:
        - finding: stripe-test-key:STRIPE_SECRET_KEY
          risk: high
          owner: DevOps
          deadline: T+72h
          mitigation: Rotate to the live key immediately.
      """
    When the environment is checked against the production profile at 2025-12-28T09:00:00Z
    Then the environment is ready
    And "stripe-test-key:STRIPE_SECRET_KEY" is waived until 2025-12-29T12:00:00Z by DevOps
    And no secret value is shown, only fingerprints

  Scenario: A waiver past its deadline fails the check
    Given a production environment with live keys, real webhook secrets and a TLS database
    But STRIPE_SECRET_KEY is set to a test-mode key
    And the waiver register:
      """
      go_live: 2025-12-26T12:00:00Z
      waivers:
        - finding: stripe-test-key:STRIPE_SECRET_KEY
          risk: high
          owner: DevOps
          deadline: T+72h
          mitigation: Rotate to the live key immediately.
      """
    When the environment is checked against the production profile at 2025-12-29T12:00:00Z
    Then the environment is not ready
    And the only finding is "stripe-test-key:STRIPE_SECRET_KEY" with high risk, its waiver expired

  Scenario: A waiver that matches no finding is a warning, not a failure
    Given a production environment with live keys, real webhook secrets and a TLS database
    And the waiver register:
      """
      waivers:
        - finding: secret-missing:ADYEN_API_KEY
          risk: high
          owner: DevOps
          deadline: 2025-12-27
          mitigation: Inject the real secret.
      """
    When the environment is checked against the production profile at 2025-12-27T09:00:00Z
    Then the environment is ready
    And the check warns that the waiver on line 2 matches no finding

  Scenario: A waiver without an owner is refused
    Given a production environment with live keys, real webhook secrets and a TLS database
    And the waiver register:
      """
      waivers:
        - finding: secret-missing:ADYEN_API_KEY
          risk: high
          deadline: 2025-12-27
          mitigation: Inject the real secret.
      """
    When the environment is checked against the production profile
    Then the check refuses the waiver register, naming line 2 and the field "owner"

  Scenario: A waiver without a deadline is refused
    Given a production environment with live keys, real webhook secrets and a TLS database
    And the waiver register:
      """
      waivers:
        - finding: database-sqlite:DATABASE_URL
          risk: low
          owner: DevOps
          mitigation: Accepted for this simulation environment.
      """
    When the environment is checked against the production profile
    Then the check refuses the waiver register, naming line 2 and the field "deadline"

  Scenario: A waiver with a date that cannot be read is refused
    Given a production environment with live keys, real webhook secrets and a TLS database
    And the waiver register:
      """
      waivers:
        - finding: stripe-test-key:STRIPE_SECRET_KEY
          risk: medium
          owner: DevOps
          deadline: 29/12/2025
          mitigation: Rotate to the live key immediately.
      """
    When the environment is checked against the production profile
    Then the check refuses the waiver register, naming line 5 and the field "deadline"
