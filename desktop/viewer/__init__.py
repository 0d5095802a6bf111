"""The document viewer: photos and PDF pages, decoded off the GUI thread."""
