"""The coordinator's mode of the desktop: the city board, pool settings, accounts, warnings, statistics."""
