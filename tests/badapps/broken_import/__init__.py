"""An app whose views module fails to import something: discovery must not hide that."""
