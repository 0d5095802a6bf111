"""Vocabulary shared by the server and the desktop: enums, workflow, schemas, validators."""
