"""Signals to act on (预警) for the city coordinator: feedback, intermediaries, long-overdue cases."""
