"""Analytics views over customers: counts only, never a name, an email or a phone number."""

from django_orm_views_hook import PostgresViewFromSQL


class CustomersPerCity(PostgresViewFromSQL):
    """How many customers each city has: `views.customers_per_city`."""

    name = "customers_per_city"
    sql = """
        SELECT city, count(*) AS customers, min(joined_at) AS first_joined_at
        FROM customers_customer
        GROUP BY city
    """
