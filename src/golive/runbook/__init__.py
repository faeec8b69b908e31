"""An executable go-live runbook with its signed execution log (`golive runbook`)."""
