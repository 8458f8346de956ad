"""Region registry (Kemendagri codes) and village profiles."""
