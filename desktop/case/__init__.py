"""The case view: one application with its documents, timeline, calls and the actions allowed on it."""
