"""Dispatch: choosing which pool member's window in the county handles a new case."""
