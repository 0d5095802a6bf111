"""The HTTP edge: routers that translate between HTTP and the services."""
