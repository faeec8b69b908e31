"""Step definitions, one module per domain; each step is a few lines over golive's library."""
