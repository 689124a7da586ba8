"""Deliberately empty.

Django sends `post_migrate` only to apps that have a models module; this file is what lets
`migrate` reach this app's handler (see migrate/receivers.py).
"""
