"""Another app's makemigrations that does not build on ours: the system check must say so."""

from django.core.management.commands.makemigrations import Command as DjangoMakemigrations


class Command(DjangoMakemigrations):
    pass
