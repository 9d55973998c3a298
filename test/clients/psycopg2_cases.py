"""psycopg2 scenarios for the lakegres client tests (run with Debian's /usr/bin/python3).

Usage: psycopg2_cases.py <libpq-dsn> <case> [long-running-sql]
Prints one line per observation; test/clients/psycopg2.test.ts compares the output of
lakegres with that of the reference PostgreSQL, or checks it explicitly.
"""
import datetime
import decimal
import io
import sys
import threading
import time
import uuid

import psycopg2
import psycopg2.errors
import psycopg2.extensions
import psycopg2.extras

psycopg2.extras.register_uuid()

DSN = sys.argv[1]
CASE = sys.argv[2]
LONG_SQL = sys.argv[3] if len(sys.argv) > 3 else None


def out(*parts):
    print(*parts, flush=True)


def norm(v):
    """A stable text form of a value read back (memoryview and tz objects differ by server)."""
    if isinstance(v, memoryview):
        return "bytes:" + bytes(v).hex()
    if isinstance(v, datetime.datetime) and v.tzinfo is not None:
        return "tz:" + v.isoformat()
    if isinstance(v, float):
        return "float:" + repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(norm(x) for x in v) + "]"
    return type(v).__name__ + ":" + repr(v)


def connect(**kw):
    c = psycopg2.connect(DSN, **kw)
    with c.cursor() as cur:
        cur.execute("set timezone to 'UTC'")
    c.commit()
    return c


AWKWARD = [
    "plain",
    "uni ☃ é 😀",
    "q'uo\"te",
    "back\\slash",
    "tab\there",
    "new\nline",
    "cr\rreturn",
    "\\N",
    "\\.",
    "",
    " leading and trailing ",
    "comma, and \"quote\"",
    None,
]


def case_types():
    c = connect()
    cur = c.cursor()
    values = [
        ("int", 1),
        ("bigint", -(2**63)),
        ("big positive", 2**62),
        ("float", 1.5),
        ("nan", float("nan")),
        ("inf", float("inf")),
        ("-inf", float("-inf")),
        ("decimal", decimal.Decimal("123.4500")),
        ("decimal tiny", decimal.Decimal("-0.000001")),
        ("bool true", True),
        ("bool false", False),
        ("date", datetime.date(2024, 2, 29)),
        ("date old", datetime.date(1, 1, 1)),
        ("time", datetime.time(13, 14, 15, 123456)),
        ("timestamp", datetime.datetime(2024, 1, 2, 3, 4, 5, 678901)),
        ("timestamptz +02", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))),
        ("timestamptz -05:30", datetime.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30)))),
        ("interval", datetime.timedelta(days=3, seconds=7, microseconds=5)),
        ("interval negative", datetime.timedelta(days=-1, seconds=10)),
        ("uuid", uuid.UUID("12345678-1234-5678-1234-567812345678")),
        ("bytes", b"\x00\x01\xff'\\"),
        ("int list", [1, 2, 3]),
        ("text list", ["a", "b c", None, "q\"uote", "back\\slash"]),
        ("null", None),
    ] + [("str " + repr(s), s) for s in AWKWARD if s is not None]
    for label, v in values:
        try:
            cur.execute("select %s as v", (v,))
            r = cur.fetchone()[0]
            out("param", label, "->", norm(r))
        except psycopg2.Error as e:
            out("param", label, "ERROR", e.pgcode)
            c.rollback()
    # Through a typed table and back.
    cur.execute(
        "create table tt(id int, i int, b bigint, f double precision, n numeric(20,6), s text, bin bytea, bo boolean,"
        " d date, t time, ts timestamp, tz timestamptz, iv interval, u uuid, ai int[], arr text[])"
    )
    rows = [
        (1, 42, 2**40, 0.1, decimal.Decimal("12345.678901"), "uni ☃ 'q' \\ \t\n", b"\x00\xfe", True,
         datetime.date(2024, 2, 29), datetime.time(1, 2, 3, 4), datetime.datetime(2020, 5, 6, 7, 8, 9, 10),
         datetime.datetime(2020, 5, 6, 7, 8, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=9))),
         datetime.timedelta(hours=25, microseconds=1), uuid.UUID("00000000-0000-0000-0000-000000000001"), [1, None, -3], ["x", "y z"]),
        (2, -1, -1, float("-inf"), decimal.Decimal("-0.5"), "", b"", False,
         datetime.date(1970, 1, 1), datetime.time(0, 0), datetime.datetime(1970, 1, 1),
         datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc), datetime.timedelta(0), uuid.UUID(int=0), [7], ["only"]),
        (3,) + (None,) * 15,
    ]
    cur.executemany("insert into tt values (" + ", ".join(["%s"] * 16) + ")", rows)
    out("executemany rowcount", cur.rowcount)
    c.commit()
    cur.execute("select * from tt order by id")
    for row in cur.fetchall():
        out("row", " | ".join(norm(v) for v in row))
    # A parameter used in a predicate against each column type.
    for col, v in [("i", 42), ("b", 2**40), ("s", ""), ("d", datetime.date(1970, 1, 1)), ("u", uuid.UUID(int=0)), ("bo", True), ("bin", b"\x00\xfe")]:
        cur.execute("select id from tt where " + col + " = %s order by id", (v,))
        out("where", col, [r[0] for r in cur.fetchall()])
    out("server_version", c.server_version // 10000, c.get_parameter_status("server_version").split()[0].split(".")[0])
    out("protocol", c.protocol_version, "encoding", c.encoding)
    c.close()


def escape_text(s):
    if s is None:
        return "\\N"
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def case_copy():
    c = connect()
    cur = c.cursor()
    cur.execute("create table ct(id int, s text, f double precision)")
    data = "".join(f"{i}\t{escape_text(s)}\t{i * 0.5:g}\n" for i, s in enumerate(AWKWARD))
    cur.copy_expert("copy ct from stdin", io.StringIO(data))
    out("copy in text rowcount", cur.rowcount)
    buf = io.StringIO()
    cur.copy_expert("copy ct to stdout", buf)
    out("copy out text", repr(buf.getvalue()))
    out("text round trip identical", buf.getvalue() == data)
    buf = io.StringIO()
    cur.copy_expert("copy (select id, s, f from ct order by id) to stdout with (format csv, header)", buf)
    csv_text = buf.getvalue()
    out("copy out csv", repr(csv_text))
    cur.execute("create table ct2(id int, s text, f double precision)")
    cur.copy_expert("copy ct2 from stdin with (format csv, header)", io.StringIO(csv_text))
    out("copy in csv rowcount", cur.rowcount)
    cur.execute("select a.id from ct a join ct2 b on a.id = b.id where a.s is distinct from b.s or a.f <> b.f")
    out("csv round trip mismatches", cur.fetchall())
    cur.execute("select id, s from ct2 order by id")
    out("values", repr(cur.fetchall()))
    # Options: delimiter, null string, quote/escape, force_quote, force_null.
    buf = io.StringIO()
    cur.copy_expert("copy (select id, s from ct where id < 4 order by id) to stdout with (format csv, delimiter ';', quote '''', escape '\\', force_quote (s))", buf)
    out("csv options", repr(buf.getvalue()))
    buf = io.StringIO()
    cur.copy_expert("copy (select id, s from ct order by id) to stdout with (null '<null>', delimiter '|')", buf)
    out("text options", repr(buf.getvalue()))
    cur.execute("create table ct3(a int, b text)")
    cur.copy_expert("copy ct3 from stdin with (format csv, force_null (b))", io.StringIO('1,""\n2,\n3,"x"\n'))
    cur.execute("select a, b from ct3 order by a")
    out("force_null", cur.fetchall())
    c.commit()
    # A bad row fails the whole COPY.
    try:
        cur.copy_expert("copy ct3 from stdin", io.StringIO("4\tok\nfive\tbad\n"))
        out("bad copy: no error")
    except psycopg2.Error as e:
        out("bad copy", e.pgcode)
    c.rollback()
    cur.execute("select count(*) from ct3")
    out("ct3 rows after failed copy", cur.fetchone()[0])
    c.commit()
    # copy_from / copy_to (COPY with the legacy DELIMITER AS / NULL AS syntax and a column list).
    cur.execute("create table cf(a int, b text)")
    cur.copy_from(io.StringIO("1\tx\n2\t\\N\n3\ta\\tb\n"), "cf")
    cur.copy_from(io.StringIO("4|y\n"), "cf", sep="|", columns=("a", "b"))
    buf = io.StringIO()
    cur.copy_to(buf, "cf", sep=",", null="NULL")
    out("copy_to", repr(buf.getvalue()))
    buf = io.StringIO()
    cur.copy_to(buf, "cf", columns=("b",))
    out("copy_to column", repr(buf.getvalue()))
    c.commit()
    # Large COPY in and out.
    big = "".join(f"{i}\tvalue {i} ☃\t{i}.25\n" for i in range(20000))
    cur.copy_expert("copy ct from stdin", io.StringIO(big))
    out("big copy rowcount", cur.rowcount)
    buf = io.StringIO()
    cur.copy_expert("copy (select * from ct where s like 'value %' order by id) to stdout", buf)
    out("big copy out identical", buf.getvalue() == big)
    c.commit()


def case_named_cursor():
    c = connect()
    cur = c.cursor()
    cur.execute("create table nc as select i, 'row ' || i as s from generate_series(1, 1000) g(i)")
    c.commit()
    nc = c.cursor(name="lakegres_named")
    nc.itersize = 37
    nc.execute("select i, s from nc order by i")
    n = total = 0
    for i, s in nc:
        n += 1
        total += i
        if n == 1:
            out("first", i, s, "description", [d.name for d in nc.description])
    out("named cursor rows", n, "sum", total, "rownumber", nc.rownumber)
    nc.close()
    # fetchmany / fetchone on a named cursor, and a plain query in between (same transaction).
    nc = c.cursor(name="second")
    nc.execute("select i from nc where i <= %s order by i", (25,))
    out("fetchone", nc.fetchone())
    out("fetchmany", nc.fetchmany(5))
    cur.execute("select count(*) from nc")
    out("interleaved count", cur.fetchone())
    out("fetchall rest", len(nc.fetchall()))
    nc.close()
    c.commit()
    # WITH HOLD cursor survives the commit.
    hc = c.cursor(name="held", withhold=True)
    hc.itersize = 10
    hc.execute("select i from nc where i <= 30 order by i")
    first = hc.fetchmany(10)
    c.commit()
    rest = hc.fetchall()
    out("withhold", len(first), len(rest), sum(r[0] for r in first + rest))
    hc.close()
    c.commit()
    # A named cursor on an error.
    ec = c.cursor(name="bad")
    try:
        ec.execute("select * from x9")
        ec.fetchall()
        out("bad named cursor: no error")
    except psycopg2.Error as e:
        out("bad named cursor", e.pgcode)
    c.rollback()
    c.close()


def case_cancel():
    c = connect()
    cur = c.cursor()

    def canceller():
        time.sleep(1.0)
        c.cancel()

    t = threading.Thread(target=canceller)
    t.start()
    t0 = time.time()
    try:
        cur.execute(LONG_SQL)
        out("long query: completed")
    except psycopg2.extensions.QueryCanceledError as e:
        out("canceled", type(e).__name__, e.pgcode, str(e).splitlines()[0], "in time", time.time() - t0 < 15)
    t.join(10)
    out("status after cancel", c.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR)
    c.rollback()
    cur.execute("select 'alive'")
    out("after cancel", cur.fetchone())
    # statement_timeout
    cur.execute("set statement_timeout = 500")
    try:
        cur.execute(LONG_SQL)
        out("timeout: completed")
    except psycopg2.extensions.QueryCanceledError as e:
        out("timeout", e.pgcode, str(e).splitlines()[0])
    c.rollback()
    c.close()


def case_transactions():
    c = connect()
    cur = c.cursor()
    cur.execute("create table tx(a int)")
    c.commit()
    out("autocommit default", c.autocommit, "status", c.get_transaction_status())
    cur.execute("insert into tx values (1)")
    out("status in tx", c.get_transaction_status())
    c.rollback()
    cur.execute("insert into tx values (2)")
    c.commit()
    cur.execute("insert into tx values (3)")
    try:
        cur.execute("selec 1")
    except psycopg2.errors.SyntaxError as e:
        out("syntax error", e.pgcode)
    try:
        cur.execute("select 1")
    except psycopg2.errors.InFailedSqlTransaction as e:
        out("after error", type(e).__name__, e.pgcode)
    out("status failed", c.get_transaction_status())
    c.rollback()
    cur.execute("select array_agg(a order by a) from tx")
    out("rows", cur.fetchone())
    c.commit()
    c.autocommit = True
    cur.execute("insert into tx values (4)")
    try:
        cur.execute("selec 1")
    except psycopg2.Error as e:
        out("autocommit error", e.pgcode)
    cur.execute("insert into tx values (5)")
    out("status autocommit", c.get_transaction_status())
    cur.execute("select array_agg(a order by a) from tx")
    out("rows", cur.fetchone())
    # `with conn` commits on success and rolls back on an exception.
    c.autocommit = False
    with c:
        with c.cursor() as k:
            k.execute("insert into tx values (6)")
    try:
        with c:
            with c.cursor() as k:
                k.execute("insert into tx values (7)")
                raise RuntimeError("boom")
    except RuntimeError:
        pass
    cur.execute("select array_agg(a order by a) from tx")
    out("rows", cur.fetchone())
    c.rollback()
    for level in ("READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"):
        c.set_session(isolation_level=level, deferrable=(level == "SERIALIZABLE"))
        cur.execute("show transaction_isolation")
        out("isolation", level, cur.fetchone())
        c.rollback()
    c.set_session(isolation_level="DEFAULT", deferrable="DEFAULT")
    c.autocommit = True
    del c.notices[:]
    cur.execute("commit")
    out("notices", [n.strip() for n in c.notices])
    out("parameters", [c.get_parameter_status(p) for p in ("standard_conforming_strings", "integer_datetimes", "DateStyle", "client_encoding", "IntervalStyle")])
    c.autocommit = False
    # Isolation level and read-only session settings.
    c.set_session(readonly=True)
    try:
        cur.execute("insert into tx values (8)")
        out("readonly insert: no error")
    except psycopg2.Error as e:
        out("readonly insert", e.pgcode)
    c.rollback()
    c.set_session(readonly=False)
    c.close()


def case_execute_values():
    c = connect()
    cur = c.cursor()
    cur.execute("create temp table ev(id int primary key, s text, d date)")
    rows = [(i, f"v{i} ☃ 'q'", datetime.date(2024, 1, 1) + datetime.timedelta(days=i)) for i in range(250)]
    psycopg2.extras.execute_values(cur, "insert into ev(id, s, d) values %s", rows, page_size=100)
    out("rowcount of last page", cur.rowcount)
    ids = psycopg2.extras.execute_values(cur, "insert into ev(id, s) values %s returning id", [(1000 + i, "r") for i in range(5)], fetch=True)
    out("returning", sorted(r[0] for r in ids))
    psycopg2.extras.execute_batch(cur, "update ev set s = %s where id = %s", [("upd", i) for i in range(10)], page_size=4)
    c.commit()
    cur.execute("select count(*), count(*) filter (where s = 'upd'), min(d), max(d) from ev")
    out("summary", cur.fetchone())
    cur.execute("select s from ev where id = 7 or id = 100 order by id")
    out("values", cur.fetchall())
    try:
        psycopg2.extras.execute_values(cur, "insert into ev(id, s) values %s", [(5000, "a"), (5000, "dup")])
        out("duplicate: no error")
    except psycopg2.IntegrityError as e:
        out("duplicate", e.pgcode)
    c.rollback()
    cur.execute("select count(*) from ev where id = 5000")
    out("after duplicate", cur.fetchone())
    # DictCursor / RealDictCursor and mogrify.
    dc = c.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
    dc.execute("select id, s from ev where id = %(id)s", {"id": 3})
    out("realdict", dict(dc.fetchone()))
    out("mogrify", cur.mogrify("select %s, %s", ("x'y", None)).decode())
    c.commit()
    c.close()


def case_prepared():
    """psycopg2 has no protocol-level prepare: prepared statements are SQL PREPARE / EXECUTE."""
    c = connect()
    cur = c.cursor()
    cur.execute("create table pp(id int, s text)")
    cur.execute("insert into pp values (1, 'a'), (4, 'd ''q'' \\'), (5, null)")
    c.commit()
    cur.execute("prepare get(int) as select id, s from pp where id >= $1 order by id")
    cur.execute("execute get(%s)", (4,))
    out("execute", cur.fetchall())
    cur.execute("execute get('5')")
    out("text argument", cur.fetchall())
    c.commit()
    cur.execute("prepare two(int, text) as select count(*) from pp where id > $1 or s = $2")
    cur.execute("execute two(%s, %s)", (4, "a"))
    out("two parameters", cur.fetchall())
    cur.execute("prepare untyped as select s from pp where id = $1")
    cur.execute("execute untyped(1)")
    out("untyped", cur.fetchall())
    cur.execute("deallocate get")
    try:
        cur.execute("execute get(1)")
    except psycopg2.Error as e:
        out("after deallocate", e.pgcode)
    c.rollback()
    cur.execute("deallocate all")
    c.commit()
    c.close()


def case_lakegres_differences():
    """Documented lakegres behaviour where DuckDB semantics differ from PostgreSQL's."""
    c = connect()
    c.autocommit = True
    cur = c.cursor()
    # psycopg2 interpolates parameters as SQL literals; DuckDB reads 1e-300 as DOUBLE (PostgreSQL: numeric).
    cur.execute("select %s as v", (1e-300,))
    out("exponent literal", norm(cur.fetchone()[0]), cur.description[0].type_code)
    # 'NaN'::float is DuckDB's FLOAT (real, 4 bytes); PostgreSQL's float is double precision.
    cur.execute("select %s as v", (float("nan"),))
    out("nan literal", norm(cur.fetchone()[0]), cur.description[0].type_code)
    # Column names of expressions (PostgreSQL's since pgcompat/column-names; kept as a regression check).
    cur.execute("select count(*), 1 + 1 from (select 1) s")
    out("expression names", [d.name for d in cur.description])
    # varchar(n) and char(n) are text: no length in the description, no blank padding.
    cur.execute("create table vc(v varchar(10), c char(3))")
    cur.execute("insert into vc values ('abc', 'x')")
    cur.execute("select v, c from vc")
    out("varchar/char", [(d.type_code, d.internal_size) for d in cur.description], cur.fetchall())
    # Only UTF8 is spoken.
    try:
        c.set_client_encoding("LATIN1")
        out("latin1: accepted")
    except psycopg2.Error as e:
        out("latin1", e.pgcode)
    # A write prepared with SQL PREPARE runs in DuckDB against the lake's read view (PostgreSQL: INSERT 0 1).
    cur.execute("create table pw(id int)")
    try:
        cur.execute("prepare ins as insert into pw values ($1)")
        cur.execute("execute ins(1)")
        out("prepared insert: inserted")
    except psycopg2.Error as e:
        out("prepared insert", e.pgcode)
    # An empty Python list is sent as '{}', which DuckDB cannot cast to a list (known limitation).
    cur.execute("create table el(a int[])")
    try:
        cur.execute("insert into el values (%s)", ([],))
        out("empty list: inserted")
    except psycopg2.Error as e:
        out("empty list", e.pgcode)
    c.close()


CASES = {
    "types": case_types,
    "copy": case_copy,
    "named_cursor": case_named_cursor,
    "cancel": case_cancel,
    "transactions": case_transactions,
    "execute_values": case_execute_values,
    "prepared": case_prepared,
    "lakegres_differences": case_lakegres_differences,
}

if __name__ == "__main__":
    CASES[CASE]()
