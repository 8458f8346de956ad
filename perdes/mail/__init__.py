"""E-mail: messages rendered from templates/mail/, kept in an outbox table, sent over SMTP."""
