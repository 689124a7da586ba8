"""Twenty views over the three tables of the history, some reading others (views_many_*)."""

from django_orm_views_hook import PostgresViewFromSQL


def define(namespace: dict, *, end: bool) -> None:
    """Put the view classes in `namespace`, as deployed at 0001 or (`end`) at 0006."""
    module = namespace["__name__"]

    def view(name, sql, *, reads=(), base=PostgresViewFromSQL, **attrs):
        attrs = {"__module__": module, "prefix": "many", "sql": sql, **attrs}
        if reads:
            attrs["view_dependencies"] = [namespace[read] for read in reads]
        namespace[name] = type(name, (base,), attrs)

    book_columns = "id, author_id, pages" + ("" if end else ", isbn")
    for i in range(5):
        view(f"Authors{i}", f"SELECT id, name FROM analystapp_author WHERE id % 5 = {i}")
    for i in range(6):
        view(f"Books{i}", f"SELECT {book_columns} FROM analystapp_book WHERE id % 6 = {i}")
    if not end:
        for i in range(3):
            view(f"Shelves{i}", f"SELECT id, label FROM analystapp_shelf WHERE id % 3 = {i}")
    view("Cities", "SELECT id, city FROM analystapp_library")
    view("CityCount", 'SELECT count(*) AS cities FROM "views"."many_cities"', reads=["Cities"])
    for i in range(3):
        view(
            f"AuthorBooks{i}",
            f'SELECT a.name, b.pages FROM "views"."many_authors{i}" a '
            f'JOIN "views"."many_books{i}" b ON b.author_id = a.id',
            reads=[f"Authors{i}", f"Books{i}"],
        )
    view(
        "AllAuthorBooks",
        'SELECT * FROM "views"."many_authorbooks0" UNION ALL '
        'SELECT * FROM "views"."many_authorbooks1"',
        reads=["AuthorBooks0", "AuthorBooks1"],
    )
