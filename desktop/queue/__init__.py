"""The clerk's queue: rows (`rows`), the table model (`model`), the tabs (`filters`), the filter proxy (`proxy`), loading (`loader`)."""
