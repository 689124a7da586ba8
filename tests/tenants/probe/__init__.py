"""Records which signals a django-tenants run sends, and in what state (TENANTS_PROBE=file).

One JSON object a line: the signal, its sender, the alias, the schema the connection is set to,
its search_path, whether a transaction is open, and the process id (the multiprocessing
executor migrates tenants in other processes).
"""
