@canary @slo
Feature: Service level objectives under a canary load
  A short, bounded load of concurrent money loops gives every objective enough samples to
  judge. Each objective passes, fails, or has too little data; too little data is never a pass.

  Scenario: Concurrent money loops meet the service level objectives
    Given the platform is healthy and speaks the contract
    When the configured number of concurrent money loops run to completion
    Then every loop ends with its money accounted for
    And API latency at the 95th percentile is within target
    And availability is within target
    And webhook delivery success is within target
