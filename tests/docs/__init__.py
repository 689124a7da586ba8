"""The documentation's examples, run: README.md and docs/*.md cannot show code that fails.

Every ```python and ```console block of the pages is run by tests/docs/test_pages.py in a
*session*: a project of its own (a copy of the example shop, or an empty directory for the
tutorial) on a scratch database of the test server, in the order the page shows them. See
tests/docs/pages.py for how a page marks its sessions and the few blocks it does not run.
"""
