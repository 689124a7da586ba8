"""Sphinx configuration of the documentation site: Markdown pages (MyST), the Furo theme.

Build it from the repository root (the `docs` extra installs what it needs):

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The API reference is generated from the docstrings (autodoc), which imports the package with
Django set up: on the test project's settings, with a DATABASE_URL that nothing connects to (so
no embedded server is started either).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
# Never connected to: autodoc only imports modules and reads docstrings.
os.environ["DATABASE_URL"] = "postgres://docs@localhost:5432/docs-never-connected"

import django  # noqa: E402

django.setup()

import django_orm_views_hook  # noqa: E402

project = "django-orm-views-hook"
author = "django-orm-views-hook contributors"
copyright = "django-orm-views-hook contributors"  # noqa: A001 - Sphinx's name for it
release = version = django_orm_views_hook.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxcontrib.mermaid",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "README.md"]

# MyST: ```mermaid fences are diagrams (as GitHub draws them); headings get anchors to link to.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 4

# The API reference: the public names only, as the top-level package exports them.
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# Only the documented parameters get a type: internal ones (a registry for tests) stay out.
autodoc_typehints_description_target = "documented"
autodoc_typehints_format = "short"
python_use_unqualified_type_names = True
add_module_names = False
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

html_theme = "furo"
html_title = f"django-orm-views-hook {release}"
html_static_path: list[str] = []
