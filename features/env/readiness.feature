@env
Feature: The target's environment is ready for go-live
  Before cutover the release manager checks the environment the platform runs with against
  the target's profile and its waiver register: the target's environment file (for the
  embedded reference platform, the one golive starts it from), or, when none is configured,
  the environment golive runs in. Every problem is a finding with an id and a risk level. A
  finding may be waived by a named owner until a deadline, never beyond it. Secret values are
  never shown: the check prints fingerprints only.

  Background:
    Given the environment the target runs with
    When it is checked against the target's profile and waiver register

  Scenario: Every secret the target needs is set to a real value
    Then no secret finding is open
    And no secret value is shown, only fingerprints

  Scenario: The payment provider keys are the right kind for the target
    Then no payment provider key finding is open
    And no secret value is shown, only fingerprints

  Scenario: The target's database connection is safe
    Then no database finding is open
    And no secret value is shown, only fingerprints

  Scenario: No waiver of the target has passed its deadline
    Then no finding is accepted on a waiver past its deadline
