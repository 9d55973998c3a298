"""psycopg 3 scenarios for the lakegres client tests (Debian's python3-psycopg, /usr/bin/python3).

Usage: psycopg3_cases.py <libpq-dsn> <case> [long-running-sql]
Prints one line per observation; test/clients/psycopg3.test.ts compares lakegres's output
with the reference PostgreSQL's, or checks it explicitly.
"""
import datetime
import decimal
import sys
import uuid

import psycopg
from psycopg import errors, pq
from psycopg.types.json import Json, Jsonb

DSN = sys.argv[1]
CASE = sys.argv[2]


def out(*parts):
    print(*parts, flush=True)


def norm(v):
    if isinstance(v, datetime.datetime) and v.tzinfo is not None:
        return "tz:" + v.isoformat()
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "bytes:" + bytes(v).hex()
    if isinstance(v, float):
        return "float:" + repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(norm(x) for x in v) + "]"
    return type(v).__name__ + ":" + repr(v)


def connect(**kw):
    c = psycopg.connect(DSN, **kw)
    c.execute("set timezone to 'UTC'")
    c.commit()
    return c


VALUES = [
    ("small int", 7),
    ("int4", 100000),
    ("int8", -(2**63)),
    ("float", 0.1),
    ("nan", float("nan")),
    ("-inf", float("-inf")),
    ("str", "uni ☃ é 😀 'q' \"d\" \\ \t\n\r"),
    ("empty str", ""),
    ("bytes", b"\x00\x01\xfe\xff"),
    ("empty bytes", b""),
    ("true", True),
    ("date", datetime.date(2024, 2, 29)),
    ("date early", datetime.date(1, 1, 1)),
    ("time", datetime.time(23, 59, 59, 999999)),
    ("timestamp", datetime.datetime(2024, 1, 2, 3, 4, 5, 678901)),
    ("timestamp pre-epoch", datetime.datetime(1969, 7, 20, 20, 17, 40)),
    ("timestamptz", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))),
    ("interval", datetime.timedelta(days=3, seconds=7, microseconds=5)),
    ("interval negative", datetime.timedelta(days=-2, hours=1)),
    ("uuid", uuid.UUID("12345678-1234-5678-1234-567812345678")),
    ("int list", [1, None, 3]),
    ("float list", [1.5, -2.25]),
    ("bool list", [True, False]),
    ("date list", [datetime.date(2000, 1, 1)]),
    ("null", None),
]


def case_binary():
    c = connect(autocommit=True)
    for binary in (False, True):
        for label, v in VALUES:
            cur = c.cursor(binary=binary)
            try:
                cur.execute("select %s as v", (v,))
                r = cur.fetchone()[0]
                out("binary" if binary else "text", label, "->", norm(r), "format", cur.pgresult.fformat(0))
            except psycopg.Error as e:
                out("binary" if binary else "text", label, "ERROR", e.sqlstate)
        # Binary parameters explicitly (%b) with text and binary results.
        cur = c.cursor()
        cur.execute("select %b as a, %b as b, %b as c, %b as d", (42, "x☃", b"\x00\xff", datetime.date(2000, 2, 29)), binary=binary)
        out("%b params", binary, [norm(x) for x in cur.fetchone()], [cur.pgresult.fformat(i) for i in range(4)])
    # A typed table read back in both formats.
    c.execute(
        "create table bt(id int, i2 smallint, i8 bigint, f4 real, f8 double precision, n numeric(18,4), t text, b bytea,"
        " d date, ts timestamp, tz timestamptz, iv interval, u uuid, ai int[], js json)"
    )
    rows = [
        (1, -32768, 2**62, 1.5, -0.1, decimal.Decimal("12345678901234.5678"), "x", b"\x00", datetime.date(2024, 12, 31),
         datetime.datetime(2001, 2, 3, 4, 5, 6, 7), datetime.datetime(2001, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc),
         datetime.timedelta(days=40, microseconds=1), uuid.UUID(int=1), [5, 6], Json({"k": [1, "two"]})),
        (2,) + (None,) * 14,
    ]
    with c.cursor() as cur:
        cur.executemany("insert into bt values (" + ", ".join(["%s"] * 15) + ")", rows)
        out("executemany rowcount", cur.rowcount)
    for binary in (False, True):
        cur = c.cursor(binary=binary)
        cur.execute("select * from bt order by id")
        for row in cur.fetchall():
            out("row", binary, " | ".join(norm(v) for v in row))
        out("types", binary, [d.type_code for d in cur.description])
    c.close()


def case_prepared():
    c = connect(autocommit=True)
    c.execute("create temp table pt(id int primary key, s text)")
    for i in range(20):
        c.execute("insert into pt values (%s, %s)", (i, f"s{i}"), prepare=True)
    for i in (3, 7, 3):
        out("lookup", c.execute("select s from pt where id = %s", (i,), prepare=True).fetchone())
    out("binary prepared", c.execute("select id, s from pt where id < %s order by id", (3,), prepare=True, binary=True).fetchall())
    # Automatic preparation: every query prepared on first use.
    c.prepare_threshold = 0
    for i in range(5):
        out("auto", c.execute("select count(*) from pt where id >= %s", (i * 5,)).fetchone())
    # Prepared statements created in a transaction that rolls back: psycopg sends DEALLOCATE ALL.
    c.autocommit = False
    c.execute("select s from pt where id = %s and s like %s", (1, "s%"))
    c.rollback()
    out("after rollback", c.execute("select s from pt where id = %s and s like %s", (2, "s%")).fetchone())
    c.commit()
    # Errors in prepared statements, then reuse.
    try:
        c.execute("insert into pt values (%s, %s)", (1, "dup"))
    except errors.UniqueViolation as e:
        out("unique violation", e.sqlstate)
    c.rollback()
    out("reuse after error", c.execute("select s from pt where id = %s", (19,)).fetchone())
    c.commit()
    # A DEALLOCATE ALL that psycopg does not know about: its cached statement is really gone.
    c.execute("deallocate all")
    try:
        c.execute("select s from pt where id = %s", (18,))
        out("after deallocate all: statement still there")
    except errors.InvalidSqlStatementName as e:
        out("after deallocate all", e.sqlstate)
    c.rollback()
    c.close()


def case_pipeline():
    if pq.version() < 140000:
        out("SKIP pipeline needs libpq 14")
        return
    c = connect(autocommit=True)
    c.execute("create table pl(id int, s text)")
    with c.pipeline() as p:
        c.execute("insert into pl values (%s, %s)", (1, "a"))
        c.execute("insert into pl values (%s, %s)", (2, "b"))
        cur = c.execute("select count(*) from pl")
        p.sync()
        out("count in pipeline", cur.fetchone())
    # An error in a pipeline: the statements before it in the same implicit transaction are undone.
    try:
        with c.pipeline():
            c.execute("insert into pl values (%s, %s)", (3, "c"))
            c.execute("select * from x9")
            c.execute("insert into pl values (%s, %s)", (4, "d"))
        out("pipeline error: none")
    except errors.UndefinedTable as e:
        out("pipeline error", e.sqlstate)
    out("after failed pipeline", c.execute("select array_agg(id order by id) from pl").fetchone())
    # Several syncs: each is its own implicit transaction.
    try:
        with c.pipeline() as p:
            c.execute("insert into pl values (%s, %s)", (5, "e"))
            p.sync()
            c.execute("insert into pl values (%s, %s)", (6, "f"))
            c.execute("selec 1")
    except errors.SyntaxError as e:
        out("second batch error", e.sqlstate)
    out("after partial pipeline", c.execute("select array_agg(id order by id) from pl").fetchone())
    # Pipeline inside an explicit transaction.
    with c.transaction():
        with c.pipeline():
            for i in range(10, 20):
                c.execute("insert into pl values (%s, %s)", (i, "tx"), prepare=True)
    out("after tx pipeline", c.execute("select count(*) from pl where s = 'tx'").fetchone())
    # executemany uses the pipeline automatically.
    with c.cursor() as cur:
        cur.executemany("insert into pl values (%s, %s)", [(100 + i, "many") for i in range(50)])
    out("executemany", c.execute("select count(*), cast(sum(id) as bigint) from pl where s = 'many'").fetchone())
    c.close()


def case_copy():
    c = connect(autocommit=True)
    c.execute("create table cp(id int, s text, d date, f double precision, b bytea)")
    rows = [(i, s, datetime.date(2020, 1, 1) + datetime.timedelta(days=i), i / 4, bytes([i % 256, 0])) for i, s in
            enumerate(["plain", "tab\there", "nl\nx", "\\N", "uni ☃", None, ""])]
    for fmt in ("text", "binary"):
        c.execute("delete from cp")
        with c.cursor() as cur:
            with cur.copy(f"copy cp (id, s, d, f, b) from stdin (format {fmt})") as cp:
                if fmt == "binary":
                    cp.set_types(["int4", "text", "date", "float8", "bytea"])
                for r in rows:
                    cp.write_row(r)
            out("copy in", fmt, cur.rowcount)
            with cur.copy(f"copy (select id, s, d, f, b from cp order by id) to stdout (format {fmt})") as cp:
                cp.set_types(["int4", "text", "date", "float8", "bytea"])
                got = [tuple(norm(v) for v in r) for r in cp.rows()]
            out("copy out", fmt, got == [tuple(norm(v) for v in r) for r in rows], got[1], got[5])
    c.close()


def case_server_cursor():
    c = connect()
    with c.cursor(name="sc", binary=True) as cur:
        cur.itersize = 50
        cur.execute("select i, i::text as t from generate_series(1, 500) g(i) order by i")
        n = s = 0
        for i, t in cur:
            n += 1
            s += i
        out("server cursor", n, s)
    c.commit()
    c.close()


def case_lakegres_differences():
    c = connect(autocommit=True)
    # A Decimal parameter is bound as numeric with DuckDB's DECIMAL(38,10) when nothing else types it.
    r = c.execute("select %s as v", (decimal.Decimal("123.45"),)).fetchone()[0]
    out("numeric parameter", norm(r))
    # A Jsonb parameter comes back as json (114): lakegres has no jsonb type.
    cur = c.execute("select %s as v", (Jsonb({"a": 1}),))
    out("json", cur.fetchone()[0], cur.description[0].type_code)
    c.close()


CASES = {
    "binary": case_binary,
    "prepared": case_prepared,
    "pipeline": case_pipeline,
    "copy": case_copy,
    "server_cursor": case_server_cursor,
    "lakegres_differences": case_lakegres_differences,
}

if __name__ == "__main__":
    CASES[CASE]()
