"""The citizen's mobile web pages under /m/ (templates, static files, the pages router)."""
