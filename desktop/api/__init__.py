"""Talking to the server: the HTTP client, background tasks, connection state.

`client.ApiClient` does blocking HTTP and is only ever called from worker
threads; `tasks.TaskRunner` runs such calls off the GUI thread and hands the
results back as signals; `connection.ConnectionMonitor` tracks whether the
server answers and paces retries.
"""
