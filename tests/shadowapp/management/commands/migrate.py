"""Another app's migrate that does not build on ours: the system check must say so."""

from django.core.management.commands.migrate import Command as DjangoMigrate


class Command(DjangoMigrate):
    pass
