"""An app whose views module is a package with submodules."""
