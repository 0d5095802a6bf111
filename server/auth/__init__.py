"""Authentication: bearer tokens, citizen SMS login, staff password login."""
