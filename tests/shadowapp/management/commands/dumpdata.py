"""Another app's dumpdata that builds on ours: the system check accepts it."""

from django_orm_views_hook.management.commands.dumpdata import Command as OurDumpdata


class Command(OurDumpdata):
    pass
