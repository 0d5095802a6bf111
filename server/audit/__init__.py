"""The audit trail: hash-chained events."""
