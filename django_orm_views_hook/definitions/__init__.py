"""What users write: the view base classes, readable views (models), and their discovery.

Nothing here touches a database or knows SQL beyond the text a class declares.
"""
