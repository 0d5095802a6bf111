"""The central no1window server: HTTP API, dispatch, workflow, SLA, SMS and audit."""
