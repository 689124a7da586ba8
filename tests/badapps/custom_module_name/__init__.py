"""An app with two views modules; ORM_VIEWS_MODULE_NAME chooses which one counts."""
