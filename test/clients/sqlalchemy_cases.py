"""SQLAlchemy (Debian's python3-sqlalchemy 1.4, psycopg2 dialect) scenarios for the lakegres
client tests: the dialect's connect-time checks, Inspector reflection (what Superset, Metabase's
Python friends, pandas and alembic read) and Core round trips.

Usage: sqlalchemy_cases.py <host> <port> <user> <password> <dbname> <case>
Prints one line per observation; test/clients/sqlalchemy.test.ts compares lakegres's output
with the reference PostgreSQL's.
"""
import sys

import sqlalchemy as sa
from sqlalchemy.engine import URL

HOST, PORT, USER, PASSWORD, DBNAME, CASE = sys.argv[1:7]
ENGINE = sa.create_engine(
    URL.create("postgresql+psycopg2", username=USER, password=PASSWORD or None, host=HOST, port=int(PORT), database=DBNAME),
    connect_args={"connect_timeout": 10},
)

DDL = [
    "create schema sa_shop",
    "create table sa_shop.orders (id integer not null, customer text, amount numeric(12,2) default 0, placed date, at_zone timestamptz, ok boolean default true, tags text[], ratio real)",
    "comment on table sa_shop.orders is 'Customer orders'",
    "comment on column sa_shop.orders.amount is 'Order total'",
    "create table sa_shop.items (sku text not null, label text default 'none')",
    "create view sa_shop.big_orders as select id, amount from sa_shop.orders where amount > 100",
]


def out(*parts):
    print(*parts, flush=True)


def case_reflect():
    with ENGINE.begin() as c:
        for s in DDL:
            c.execute(sa.text(s))
    insp = sa.inspect(ENGINE)
    out("server_version_info", ENGINE.dialect.server_version_info[:1])
    out("default schema", insp.default_schema_name)
    out("schemas", sorted(s for s in insp.get_schema_names() if not s.startswith("pg_temp") and not s.startswith("pg_toast")))
    out("tables", insp.get_table_names(schema="sa_shop"))
    out("views", insp.get_view_names(schema="sa_shop"))
    out("has_table", insp.has_table("orders", schema="sa_shop"), insp.has_table("nope", schema="sa_shop"))
    for table in ("orders", "items", "big_orders"):
        for col in insp.get_columns(table, schema="sa_shop"):
            out("column", table, col["name"], repr(col["type"]), col["nullable"], col["default"], col.get("comment"), col.get("autoincrement"))
        out("pk", table, insp.get_pk_constraint(table, schema="sa_shop"))
        out("fks", table, insp.get_foreign_keys(table, schema="sa_shop"))
        out("indexes", table, insp.get_indexes(table, schema="sa_shop"))
        out("unique", table, insp.get_unique_constraints(table, schema="sa_shop"))
        out("checks", table, insp.get_check_constraints(table, schema="sa_shop"))
        out("comment", table, insp.get_table_comment(table, schema="sa_shop"))
    out("view definition present", bool(insp.get_view_definition("big_orders", schema="sa_shop")))
    # Table reflection (autoload) as ORMs and pandas do it.
    md = sa.MetaData()
    orders = sa.Table("orders", md, autoload_with=ENGINE, schema="sa_shop")
    out("reflected", [(c.name, str(c.type), c.nullable, c.comment) for c in orders.columns], orders.comment)


def case_core():
    md = sa.MetaData()
    t = sa.Table("sa_core", md, sa.Column("id", sa.Integer, nullable=False), sa.Column("name", sa.Text), sa.Column("price", sa.Numeric(10, 2)), sa.Column("changed_at", sa.DateTime(timezone=True)))
    md.create_all(ENGINE)
    out("exists after create_all", sa.inspect(ENGINE).has_table("sa_core"))
    with ENGINE.begin() as c:
        c.execute(t.insert(), [{"id": i, "name": f"n{i} 'q' \\ ☃", "price": i * 1.25, "changed_at": None} for i in range(1, 6)])
    with ENGINE.connect() as c:
        rows = c.execute(sa.select(t.c.id, t.c.name, t.c.price).where(t.c.id > sa.bindparam("lo")).order_by(t.c.id.desc()), {"lo": 2}).fetchall()
        out("select", [tuple(r) for r in rows])
        out("count", c.execute(sa.select(sa.func.count()).select_from(t).where(t.c.name.like("n%"))).scalar())
        out("like escape", c.execute(sa.select(t.c.id).where(t.c.name.contains("'q'", autoescape=True)).order_by(t.c.id)).scalars().all())
    with ENGINE.begin() as c:
        c.execute(t.update().where(t.c.id == 1).values(name="one"))
        c.execute(t.delete().where(t.c.id == 5))
    with ENGINE.connect() as c:
        out("after dml", c.execute(sa.select(t.c.id, t.c.name).order_by(t.c.id)).fetchall())
    md.drop_all(ENGINE)
    out("exists after drop_all", sa.inspect(ENGINE).has_table("sa_core"))


CASES = {"reflect": case_reflect, "core": case_core}

if __name__ == "__main__":
    CASES[CASE]()
