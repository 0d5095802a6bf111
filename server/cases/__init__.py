"""Cases: scope, numbering, events, presentation, and the services that act on them."""
