"""Drafts of a village's Perdes: immutable revisions, comparison, comments (database-backed)."""
