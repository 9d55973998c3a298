"""asyncpg (Debian's python3-asyncpg) scenarios for the lakegres client tests: connection,
prepared statements with binary parameters and results of scalar types, cursors, array types
and set_type_codec (both rely on asyncpg's type introspection queries, which read oid, oid[] and
name columns of pg_catalog).

Usage: asyncpg_cases.py <host> <port> <user> <password> <dbname> <case>
Prints one line per observation; test/clients/asyncpg.test.ts compares lakegres's output
with the reference PostgreSQL's.
"""
import asyncio
import datetime
import decimal
import json
import sys
import uuid

import asyncpg

HOST, PORT, USER, PASSWORD, DBNAME, CASE = sys.argv[1:7]


def out(*parts):
    print(*parts, flush=True)


async def connect():
    return await asyncpg.connect(host=HOST, port=int(PORT), user=USER, password=PASSWORD or None, database=DBNAME, timeout=10, server_settings={"timezone": "UTC"})


async def case_types():
    c = await connect()
    out("server_version", c.get_server_version().major)
    await c.execute("create table ap(id int4, n numeric(12,3), f float8, t text, b bytea, d date, ts timestamptz, u uuid, big int8, j json, ok bool)")
    rows = [
        (1, decimal.Decimal("1.500"), 0.25, "uni ☃ 'q' \\ \t", b"\x00\xff", datetime.date(2024, 2, 29), datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc), uuid.UUID(int=7), -(2**63), '{"k": [1, "two"]}', True),
        (2, None, None, None, None, None, None, None, None, None, None),
    ]
    await c.executemany("insert into ap values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", rows)
    stmt = await c.prepare("select * from ap where id >= $1 order by id")
    out("params", [t.name for t in stmt.get_parameters()])
    out("attributes", [(a.name, a.type.name) for a in stmt.get_attributes()])
    for r in await stmt.fetch(1):
        out("row", [(k, v) for k, v in r.items()])
    out("json", json.loads(await c.fetchval("select j from ap where id = 1")))
    out("fetchval params", await c.fetchval("select count(*) from ap where t = $1 or n > $2", "x", decimal.Decimal("1.2")))
    # The connection's prepared-statement cache: the same text again reuses the statement.
    for i in range(3):
        out("cached", i, await c.fetchval("select id from ap where id = $1", 1))
    await c.close()


async def case_cursor():
    c = await connect()
    await c.execute("create table apc(id int4, s text)")
    await c.executemany("insert into apc values ($1, $2)", [(i, f"s{i}\t'x'") for i in range(1, 101)])
    async with c.transaction():
        total = 0
        n = 0
        async for r in c.cursor("select id, s from apc order by id", prefetch=100):
            total += r["id"]
            n += 1
        out("cursor", n, total)
    out("fetchrow", await c.fetchrow("select count(*) as n, max(s) as m from apc where s like $1", "s99%"))
    try:
        await c.fetch("select * from apc_missing")
    except asyncpg.PostgresError as e:
        out("error", type(e).__name__, e.sqlstate)
    out("after error", await c.fetchval("select 41 + 1"))
    await c.close()


async def case_copy():
    c = await connect()
    await c.execute("create table apcopy(id int4, name text, score float8, at timestamptz)")
    records = [(i, f"n{i} 'q' \\ \t", i / 4, datetime.datetime(2024, 1, 1, i % 24, tzinfo=datetime.timezone.utc)) for i in range(1, 1001)]
    records.append((0, None, None, None))
    # Binary COPY; asyncpg sends the data right behind the COPY statement.
    out("copy records", await c.copy_records_to_table("apcopy", records=records))
    out("copy columns", await c.copy_records_to_table("apcopy", records=[(5000, "five")], columns=["id", "name"]))
    out("rows", await c.fetchrow("select count(*), sum(id)::int8, count(name), max(score), min(at) from apcopy"))
    out("row 7", await c.fetchrow("select * from apcopy where id = 7"))
    await c.close()


async def case_arrays():
    c = await connect()
    await c.execute("create table apa(id int4, ints int4[], texts text[], fl float8[], big int8[])")
    await c.execute("insert into apa values (1, array[1, 2, null], array['a', 'b c', '{}'], array[1.5], array[-1])")
    # Binary array parameters (asyncpg encodes them with the codecs its introspection found).
    await c.execute("insert into apa values ($1, $2, $3, $4, $5)", 2, [3, None], ["x", None, "y\"z"], [], [2**40])
    stmt = await c.prepare("select * from apa order by id")
    out("params", [t.name for t in stmt.get_parameters()])
    out("attributes", [(a.name, a.type.name, a.type.kind, a.type.schema) for a in stmt.get_attributes()])
    for r in await stmt.fetch():
        out("row", list(r.items()))
    out("array param", await c.fetchval("select $1::int8[]", [1, 2, None]), await c.fetchval("select $1::text[]", ["x", None]))
    out("any", await c.fetch("select id from apa where id = any($1::int4[]) order by id", [2, 5]))
    # A codec for a built-in type: set_type_codec introspects the type first.
    await c.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    out("json codec", await c.fetchval("""select '{"a": [1, 2]}'::json"""), await c.fetchval("select $1::json", {"b": [True, None]}))
    await c.set_type_codec("int4", encoder=str, decoder=lambda s: "int4:" + s, schema="pg_catalog", format="text")
    out("int4 text codec", await c.fetchval("select 41 + 1"), await c.fetchval("select id from apa where id = $1", 2))
    await c.reset_type_codec("int4", schema="pg_catalog")
    out("reset codec", await c.fetchval("select 41 + 1"))
    await c.close()


CASES = {"types": case_types, "cursor": case_cursor, "copy": case_copy, "arrays": case_arrays}

if __name__ == "__main__":
    asyncio.run(CASES[CASE]())
