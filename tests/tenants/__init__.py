"""A django-tenants project (settings: tests/tenant_settings.py), driven in child processes.

``customers`` is the shared app (the tenant and domain models, and Plan, a shared table);
``shop`` the tenant app, whose tables each tenant has in its own schema. Their
``postgres_views`` modules hold a view of each kind: over shared tables only, over a tenant's
tables, and over both.
"""
