"""Counter intake: a clerk enters a walk-in customer's case for any of the 6 vehicle categories."""
