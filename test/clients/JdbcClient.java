/*
 * pgjdbc scenarios for lakegres client tests. Run against lakegres and the reference
 * PostgreSQL; every line printed is compared (or checked) by test/clients/pgjdbc.test.ts.
 *
 * Usage: java -cp postgresql.jar:<dir> JdbcClient <jdbc-url> <user> <password> <case> [long-sql]
 */
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.sql.*;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.*;
import java.util.concurrent.atomic.AtomicReference;

public class JdbcClient {
  static Connection open(String url, String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    return DriverManager.getConnection(url, p);
  }

  static void out(String s) {
    System.out.println(s);
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) sb.append(String.format("%02x", x));
    return sb.toString();
  }

  /** Format codes (0 text, 1 binary) of a pgjdbc result's fields, read from the driver. */
  static String formats(ResultSet rs) {
    try {
      Object inner = rs.unwrap(Class.forName("org.postgresql.jdbc.PgResultSet"));
      Field f = inner.getClass().getDeclaredField("fields");
      f.setAccessible(true);
      Object[] fields = (Object[]) f.get(inner);
      StringBuilder sb = new StringBuilder();
      for (Object fld : fields) sb.append(fld.getClass().getMethod("getFormat").invoke(fld));
      return sb.toString();
    } catch (Exception e) {
      return "?" + e;
    }
  }

  static String show(Object o) {
    if (o == null) return "null";
    if (o instanceof byte[]) return "bytes:" + hex((byte[]) o);
    if (o instanceof java.sql.Array) {
      try {
        Object arr = ((java.sql.Array) o).getArray();
        return "array:" + Arrays.deepToString((Object[]) arr);
      } catch (SQLException e) {
        return "array-error:" + e.getSQLState();
      }
    }
    if (o instanceof BigDecimal) return "numeric:" + ((BigDecimal) o).toPlainString();
    return o.getClass().getSimpleName() + ":" + o;
  }

  public static void main(String[] args) throws Exception {
    String url = args[0], user = args[1], password = args[2], which = args[3];
    String longSql = args.length > 4 ? args[4] : null;
    try (Connection c = open(url, user, password)) {
      switch (which) {
        case "types": types(c); break;
        case "batch": batch(c); break;
        case "fetchsize": fetchSize(c); break;
        case "timeout": timeout(c, longSql); break;
        case "cancel": cancel(c, longSql); break;
        case "meta": meta(c); break;
        case "tx": tx(c); break;
        case "readonly": readOnly(c); break;
        case "differences": differences(c); break;
        case "catalog": catalog(c); break;
        default: throw new IllegalArgumentException(which);
      }
    }
  }

  static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  // ------------------------------------------------------------------ types (prepareThreshold=1, binaryTransfer=true)

  static void types(Connection c) throws Exception {
    exec(c, "create table jt(id int4, i8 int8, f8 float8, n numeric(12,3), d date, ts timestamp, tz timestamptz, b bytea, u uuid, a int4[], t text[])");
    try (PreparedStatement ins = c.prepareStatement("insert into jt values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (int i = 0; i < 4; i++) {
        ins.setInt(1, i);
        if (i == 3) {
          for (int k = 2; k <= 11; k++) ins.setNull(k, Types.OTHER);
          ins.setNull(2, Types.BIGINT);
          ins.setNull(3, Types.DOUBLE);
          ins.setNull(4, Types.NUMERIC);
          ins.setNull(5, Types.DATE);
          ins.setNull(6, Types.TIMESTAMP);
          ins.setNull(7, Types.TIMESTAMP_WITH_TIMEZONE);
          ins.setNull(8, Types.BINARY);
        } else {
          ins.setLong(2, i == 0 ? Long.MIN_VALUE : i == 1 ? Long.MAX_VALUE : 42L);
          ins.setDouble(3, i == 0 ? 0.1 : i == 1 ? -1.5e300 : Double.NaN);
          ins.setBigDecimal(4, new BigDecimal(i == 0 ? "123456789.125" : i == 1 ? "-0.001" : "0"));
          ins.setObject(5, i == 0 ? LocalDate.of(2024, 2, 29) : i == 1 ? LocalDate.of(1999, 12, 31) : LocalDate.of(1, 1, 1));
          ins.setObject(6, LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123456000 * (i == 0 ? 1 : 0)));
          ins.setObject(7, OffsetDateTime.of(2024, 6, 1, 12, 0, 0, 0, ZoneOffset.ofHours(i == 0 ? 2 : -5)));
          ins.setBytes(8, i == 0 ? new byte[] {0, 1, (byte) 0xff} : new byte[0]);
          ins.setObject(9, UUID.fromString(i == 0 ? "12345678-1234-5678-1234-567812345678" : "00000000-0000-0000-0000-000000000000"));
          ins.setArray(10, c.createArrayOf("int4", i == 0 ? new Integer[] {1, 2, 3} : new Integer[] {null, -7}));
          ins.setArray(11, c.createArrayOf("text", i == 0 ? new String[] {"a", "b c", "q\"uote"} : new String[] {}));
        }
        ins.executeUpdate();
      }
      out("server-prepared insert: " + ins.unwrap(org.postgresql.PGStatement.class).isUseServerPrepare());
    }
    try (PreparedStatement q = c.prepareStatement("select id, i8, f8, n, d, ts, tz, b, u, a, t from jt where id >= ? order by id")) {
      // Run several times: the server-prepared statement is reused, results come back binary.
      for (int round = 0; round < 3; round++) {
        q.setInt(1, 0);
        try (ResultSet rs = q.executeQuery()) {
          out("round " + round + " formats " + formats(rs));
          ResultSetMetaData md = rs.getMetaData();
          while (rs.next()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i <= md.getColumnCount(); i++) {
              if (i > 1) sb.append(" | ");
              Object o;
              switch (i) {
                case 6: o = rs.getObject(i, LocalDateTime.class); break;
                case 7: o = rs.getObject(i, OffsetDateTime.class); break;
                case 5: o = rs.getObject(i, LocalDate.class); break;
                default: o = rs.getObject(i);
              }
              sb.append(md.getColumnName(i)).append('=').append(show(o));
            }
            if (round == 2) out(sb.toString());
          }
        }
      }
      out("server-prepared select: " + q.unwrap(org.postgresql.PGStatement.class).isUseServerPrepare());
    }
    // Typed parameters echoed back: the text the driver sends binary must come back equal.
    try (PreparedStatement e = c.prepareStatement("select ?::int8 as a, ?::float8 as b, ?::numeric(12,4) as c, ?::text as d, ?::bytea as e")) {
      for (int round = 0; round < 2; round++) {
        e.setLong(1, 1234567890123L);
        e.setDouble(2, Double.NEGATIVE_INFINITY);
        e.setBigDecimal(3, new BigDecimal("-98765.4321"));
        e.setString(4, "uni ☃ 'q' \\ \t");
        e.setBytes(5, new byte[] {(byte) 0xde, (byte) 0xad});
        try (ResultSet rs = e.executeQuery()) {
          rs.next();
          out("echo " + round + ": " + rs.getLong(1) + " " + rs.getDouble(2) + " " + rs.getBigDecimal(3).stripTrailingZeros().toPlainString() + " " + rs.getString(4) + " " + hex(rs.getBytes(5)));
        }
      }
    }
  }

  // ------------------------------------------------------------------ batches

  static long count(Connection c, String where) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from jb" + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static void batch(Connection c) throws Exception {
    exec(c, "create table jb(id int not null, s text not null)");
    c.setAutoCommit(true);
    try (PreparedStatement ps = c.prepareStatement("insert into jb values (?, ?)")) {
      for (int i = 0; i < 50; i++) {
        ps.setInt(1, i);
        ps.setString(2, "row" + i);
        ps.addBatch();
      }
      int[] counts = ps.executeBatch();
      out("autocommit batch counts " + counts.length + " sum " + Arrays.stream(counts).sum());
    }
    out("after batch 1: " + count(c, ""));
    // A failing row (NOT NULL) in an autocommit batch: the whole batch is one implicit transaction.
    try (PreparedStatement ps = c.prepareStatement("insert into jb values (?, ?)")) {
      for (int i = 100; i < 110; i++) {
        ps.setInt(1, i);
        if (i == 105) ps.setNull(2, Types.VARCHAR);
        else ps.setString(2, "bad" + i);
        ps.addBatch();
      }
      try {
        ps.executeBatch();
        out("failing batch: no error");
      } catch (BatchUpdateException e) {
        SQLException next = e.getNextException();
        out("failing batch: BatchUpdateException " + (next != null ? next.getSQLState() : e.getSQLState()));
      }
    }
    out("after failing autocommit batch: " + count(c, " where id >= 100"));
    // Statement batch (simple statements).
    try (Statement st = c.createStatement()) {
      st.addBatch("insert into jb values (200, 'a')");
      st.addBatch("insert into jb values (201, 'b')");
      st.addBatch("update jb set s = 'u' where id >= 200");
      out("statement batch counts " + Arrays.toString(st.executeBatch()));
    }
    // Autocommit off: a batch is committed or rolled back with the transaction.
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement("insert into jb values (?, ?)")) {
      for (int i = 300; i < 320; i++) {
        ps.setInt(1, i);
        ps.setString(2, "tx" + i);
        ps.addBatch();
      }
      out("tx batch counts " + Arrays.stream(ps.executeBatch()).sum());
      out("inside tx: " + count(c, " where id >= 300"));
      c.rollback();
      out("after rollback: " + count(c, " where id >= 300"));
      for (int i = 300; i < 320; i++) {
        ps.setInt(1, i);
        ps.setString(2, "tx" + i);
        ps.addBatch();
      }
      ps.executeBatch();
      c.commit();
      out("after commit: " + count(c, " where id >= 300"));
      // A failing batch inside a transaction aborts it (25P02 until rollback).
      for (int i = 400; i < 405; i++) {
        ps.setInt(1, i);
        if (i == 402) ps.setNull(2, Types.VARCHAR);
        else ps.setString(2, "z");
        ps.addBatch();
      }
      try {
        ps.executeBatch();
      } catch (BatchUpdateException e) {
        out("tx failing batch: BatchUpdateException");
      }
      try {
        count(c, "");
        out("aborted tx: query ran");
      } catch (SQLException e) {
        out("aborted tx: " + e.getSQLState());
      }
      c.rollback();
      out("after failed tx: " + count(c, " where id >= 400"));
    }
    c.setAutoCommit(true);
    out("total: " + count(c, ""));
  }

  // ------------------------------------------------------------------ fetch size (portal suspension)

  static void fetchSize(Connection c) throws Exception {
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement("select i, i * 2 as d from generate_series(1, 2000) g(i) order by i")) {
      ps.setFetchSize(100);
      long n = 0, sum = 0, interleaved = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          n++;
          sum += rs.getLong(2);
          // Another statement on the same connection while the portal is suspended.
          if (n % 500 == 0) {
            try (Statement s = c.createStatement(); ResultSet r2 = s.executeQuery("select " + n + " as x")) {
              r2.next();
              interleaved += r2.getLong(1);
            }
          }
        }
      }
      out("fetched " + n + " sum " + sum + " interleaved " + interleaved);
    }
    // Two open result sets read alternately (two suspended portals).
    try (Statement s1 = c.createStatement(); Statement s2 = c.createStatement()) {
      s1.setFetchSize(7);
      s2.setFetchSize(11);
      try (ResultSet a = s1.executeQuery("select i from generate_series(1, 100) g(i) order by i");
          ResultSet b = s2.executeQuery("select i from generate_series(101, 200) g(i) order by i")) {
        long sa = 0, sb = 0;
        boolean moreA = true, moreB = true;
        while (moreA || moreB) {
          if (moreA && (moreA = a.next())) sa += a.getLong(1);
          if (moreB && (moreB = b.next())) sb += b.getLong(1);
        }
        out("alternating sums " + sa + " " + sb);
      }
    }
    c.commit();
  }

  // ------------------------------------------------------------------ timeout and cancel

  static void timeout(Connection c, String longSql) throws Exception {
    try (Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      long t0 = System.nanoTime();
      try {
        s.executeQuery(longSql);
        out("timeout: completed");
      } catch (SQLException e) {
        out("timeout: " + e.getSQLState() + " fast=" + ((System.nanoTime() - t0) / 1_000_000_000L < 20));
      }
    }
    // The connection is usable afterwards.
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 41 + 1")) {
      rs.next();
      out("after timeout: " + rs.getInt(1));
    }
  }

  static void cancel(Connection c, String longSql) throws Exception {
    Statement s = c.createStatement();
    AtomicReference<String> result = new AtomicReference<>("none");
    Thread runner = new Thread(() -> {
      try {
        s.executeQuery(longSql);
        result.set("completed");
      } catch (SQLException e) {
        result.set(e.getSQLState());
      }
    });
    runner.start();
    Thread.sleep(1000);
    s.cancel();
    runner.join(20000);
    out("cancel: " + result.get() + " joined=" + !runner.isAlive());
    s.close();
    try (Statement s2 = c.createStatement(); ResultSet rs = s2.executeQuery("select 'still alive'")) {
      rs.next();
      out("after cancel: " + rs.getString(1));
    }
  }

  // ------------------------------------------------------------------ metadata, transactions, read-only

  static void meta(Connection c) throws Exception {
    DatabaseMetaData md = c.getMetaData();
    out("product " + md.getDatabaseProductName());
    out("version " + md.getDatabaseProductVersion());
    out("major " + md.getDatabaseMajorVersion());
    out("minor " + md.getDatabaseMinorVersion());
    out("driver " + md.getDriverName());
  }

  static void tx(Connection c) throws Exception {
    exec(c, "create table jx(id int)");
    c.setAutoCommit(false);
    exec(c, "insert into jx values (1)");
    c.rollback();
    exec(c, "insert into jx values (2)");
    c.commit();
    exec(c, "insert into jx values (3)");
    c.commit();
    try (Statement s = c.createStatement()) {
      try {
        s.execute("select * from jx_missing");
      } catch (SQLException e) {
        out("error in tx: " + e.getSQLState());
      }
      try {
        s.execute("select 1");
      } catch (SQLException e) {
        out("next statement: " + e.getSQLState());
      }
    }
    c.rollback();
    c.setAutoCommit(true);
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select id from jx order by id")) {
      StringBuilder sb = new StringBuilder();
      while (rs.next()) sb.append(rs.getInt(1)).append(' ');
      out("rows " + sb.toString().trim());
    }
  }

  /** Documented lakegres behaviour where DuckDB differs from PostgreSQL. */
  static void differences(Connection c) throws Exception {
    // numeric without a typmod is DuckDB's DECIMAL(18,3), not PostgreSQL's arbitrary precision.
    try (PreparedStatement ps = c.prepareStatement("select ?::numeric as n")) {
      ps.setBigDecimal(1, new BigDecimal("-98765.4321"));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        out("unconstrained numeric " + rs.getBigDecimal(1).toPlainString());
      }
    }
    // Column labels of expressions (PostgreSQL's since pgcompat/column-names).
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*), 1 + 1 from (select 1) t")) {
      ResultSetMetaData md = rs.getMetaData();
      out("labels " + md.getColumnLabel(1) + " " + md.getColumnLabel(2));
    }
  }

  /** Driver features that query pg_catalog: getObject of types outside the driver's cache, metadata. */
  static void catalog(Connection c) throws Exception {
    exec(c, "create table jcat(id int, iv interval, j json)");
    exec(c, "insert into jcat values (1, '1 day 02:03:04', '{\"a\": 1}')");
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select iv, j from jcat")) {
      rs.next();
      for (int i = 1; i <= 2; i++) {
        try {
          Object o = rs.getObject(i);
          out("getObject " + rs.getMetaData().getColumnTypeName(i) + " " + o.getClass().getSimpleName() + " " + o);
        } catch (SQLException e) {
          out("getObject " + i + " failed " + e.getSQLState());
        }
      }
    }
    DatabaseMetaData md = c.getMetaData();
    try (ResultSet rs = md.getTables(null, null, "jcat", new String[] {"TABLE"})) {
      while (rs.next()) out("table " + rs.getString("TABLE_NAME") + " " + rs.getString("TABLE_TYPE"));
    } catch (SQLException e) {
      out("getTables failed " + e.getSQLState());
    }
    try (ResultSet rs = md.getColumns(null, null, "jcat", null)) {
      while (rs.next()) out("column " + rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME"));
    } catch (SQLException e) {
      out("getColumns failed " + e.getSQLState());
    }
  }

  static void readOnly(Connection c) throws Exception {
    exec(c, "create table jr(id int)");
    c.setAutoCommit(false);
    c.setReadOnly(true);
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from jr")) {
      rs.next();
      out("read in read-only tx: " + rs.getLong(1));
    }
    try (Statement s = c.createStatement()) {
      s.executeUpdate("insert into jr values (1)");
      out("write in read-only tx: succeeded");
    } catch (SQLException e) {
      out("write in read-only tx: " + e.getSQLState());
    }
    c.rollback();
    c.setReadOnly(false);
    try (Statement s = c.createStatement()) {
      out("write after setReadOnly(false): " + s.executeUpdate("insert into jr values (1)"));
    }
    c.commit();
  }
}
