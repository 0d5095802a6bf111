"""The clerk's queue: `rows` (one precomputed row), `model` (the table model), `filters` (the tabs),
`proxy` (tab and search filtering), `loader` (page-by-page loading), `panel` (the widgets)."""
