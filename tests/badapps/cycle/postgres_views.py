"""Two views that read each other: no order can create them."""

from django_orm_views_hook import PostgresViewFromSQL


class Chicken(PostgresViewFromSQL):
    sql = "SELECT 1 AS one"


class Egg(PostgresViewFromSQL):
    view_dependencies = [Chicken]
    sql = "SELECT 1 AS one"


Chicken.view_dependencies = [Egg]
