"""Views over shared tables only (in `public`): one copy for the whole database."""

from django.db.models import Count

from django_orm_views_hook import PostgresViewFromQueryset, PostgresViewFromSQL

from .models import Client


class ClientsPerPlan(PostgresViewFromQueryset):
    """Shared, from a QuerySet: how many tenants each plan has."""

    name = "clients_per_plan"

    @classmethod
    def get_queryset(cls):
        return Client.objects.values("plan__name").annotate(clients=Count("id"))


class PlanPrices(PostgresViewFromSQL):
    """Shared, from SQL: the plans' prices after their discount."""

    name = "plan_prices"
    sql = """
        SELECT name, monthly_price * (100 - discount_percent) / 100 AS price
        FROM customers_plan
    """
