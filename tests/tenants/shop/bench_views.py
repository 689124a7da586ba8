"""Generated tenant views for benchmarks/tenants.py (ORM_VIEWS_MODULE_NAME = "bench_views").

ORM_VIEWS_BENCH_VIEWS (default 20) SQL views over the tenant's shop tables, named
`bench_v000`, `bench_v001`, ..., built in each tenant's `<tenant>_views`. By index:

* the first reads shop_order.quantity (what shop 0003 retypes);
* one ending in 9 reads the view before it (a view over a view);
* the others read shop_product, or shop_order without quantity.

So a migration retyping shop_order.quantity breaks one view in each tenant (1 of 20 by
default) and none of the others: it must rebuild one view per tenant, not all of them. No view
of a shared table: with this module, `views` (the shared views schema) stays empty.
"""

import os

from django.utils.functional import classproperty

from django_orm_views_hook import PostgresViewFromSQL

COUNT = int(os.environ.get("ORM_VIEWS_BENCH_VIEWS", "20"))


def _view(index: int, previous: type | None) -> type:
    attrs: dict = {"__module__": __name__, "name": f"bench_v{index:03d}"}
    if index % 10 == 9 and previous is not None:
        attrs["view_dependencies"] = [previous]
        attrs["sql"] = classproperty(lambda cls: f"SELECT * FROM {previous.name_with_schema}")
    elif index == 0:
        attrs["sql"] = (
            f"SELECT product_id, sum(quantity) + {index} AS units FROM shop_order"
            " GROUP BY product_id"
        )
    elif index % 2 == 1:
        attrs["sql"] = f"SELECT id, name, price + {index} AS price FROM shop_product"
    else:
        attrs["sql"] = (
            f"SELECT id, product_id, placed_at + interval '{index} s' AS at FROM shop_order"
        )
    return type(f"BenchView{index:03d}", (PostgresViewFromSQL,), attrs)


_previous = None
for _index in range(COUNT):
    _previous = globals()[f"BenchView{_index:03d}"] = _view(_index, _previous)
