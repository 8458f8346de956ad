"""Users, roles, region scopes, sessions, permissions and the audit log."""
