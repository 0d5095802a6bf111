"""API schemas (pydantic), shared by the server that produces and the clients that consume them."""
