"""The window clerk's desktop client."""
