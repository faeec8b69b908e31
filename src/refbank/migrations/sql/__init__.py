"""The SQL the migrations run (package data)."""
