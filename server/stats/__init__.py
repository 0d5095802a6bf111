"""Figures about the pool's work: completion against the promise, counts for the board and the reports."""
