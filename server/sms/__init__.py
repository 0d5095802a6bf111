"""Sending SMS: templates, a gateway interface and the default outbox backend."""
