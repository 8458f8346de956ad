"""Scheduled jobs that run exactly once per period across processes (a claim in the database)."""
