"""The action dialogs: one per workflow action a clerk, supervisor or coordinator takes on a case."""
