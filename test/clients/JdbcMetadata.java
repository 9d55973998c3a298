/*
 * pgjdbc's DatabaseMetaData and ResultSetMetaData, as DBeaver and DataGrip use them to browse a
 * database, against a server given on the command line. Every result set is printed whole
 * (every column, every row), one section per call; test/clients/pgjdbc-metadata.test.ts runs
 * this against lakegres and the reference PostgreSQL and compares the sections.
 *
 * Usage: java -cp postgresql.jar:<dir> JdbcMetadata <jdbc-url> <user> <password>
 */
import java.sql.*;
import java.util.*;

public class JdbcMetadata {
  static final String[] DDL = {
    "create schema jmeta",
    "create table jmeta.orders (id integer not null, customer text, amount numeric(12,2) default 0, qty bigint, price double precision, ok boolean,"
        + " placed date, at_time timestamp, at_zone timestamptz, small smallint, ratio real, raw bytea, uid uuid, tags text[], doc json)",
    "comment on table jmeta.orders is 'Customer orders'",
    "comment on column jmeta.orders.amount is 'Order total'",
    "create table jmeta.items (sku text not null, label text default 'none')",
    "create view jmeta.big_orders as select id, amount from jmeta.orders where amount > 100",
    "comment on view jmeta.big_orders is 'Orders over 100'",
    "insert into jmeta.orders (id, customer, amount) values (1, 'ann', 150), (2, null, 20)",
  };

  static void section(String title) {
    System.out.println("== " + title);
  }

  /** Every row of a result set: label=value for each column. */
  static void dump(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int rows = 0;
    while (rs.next()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        if (i > 1) sb.append(" | ");
        sb.append(md.getColumnLabel(i).toLowerCase()).append('=').append(rs.getString(i));
      }
      System.out.println(sb);
      rows++;
    }
    System.out.println("(" + rows + " rows)");
    rs.close();
  }

  interface Call {
    ResultSet run() throws SQLException;
  }

  /** A metadata call: its rows, or the SQLSTATE it failed with. */
  static void call(String title, Call c) {
    section(title);
    try {
      dump(c.run());
    } catch (SQLException e) {
      System.out.println("failed " + e.getSQLState() + " " + e.getMessage());
    } catch (RuntimeException e) {
      System.out.println("failed " + e.getClass().getSimpleName() + " " + e.getMessage());
    }
  }

  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", args[1]);
    p.setProperty("password", args[2]);
    try (Connection c = DriverManager.getConnection(args[0], p)) {
      try (Statement s = c.createStatement()) {
        for (String sql : DDL) s.execute(sql);
      }
      DatabaseMetaData md = c.getMetaData();
      section("identity");
      System.out.println("catalog " + c.getCatalog() + " schema " + c.getSchema() + " user " + md.getUserName());
      System.out.println("escape " + md.getSearchStringEscape() + " quote " + md.getIdentifierQuoteString() + " readonly " + md.isReadOnly());
      call("getCatalogs", md::getCatalogs);
      call("getSchemas", () -> md.getSchemas(null, "jmeta"));
      call("getSchemas all", md::getSchemas);
      call("getTableTypes", md::getTableTypes);
      call("getTables TABLE", () -> md.getTables(null, "jmeta", "%", new String[] {"TABLE"}));
      call("getTables VIEW", () -> md.getTables(null, "jmeta", "%", new String[] {"VIEW"}));
      call("getTables any type", () -> md.getTables(null, "jmeta", null, null));
      // DBeaver escapes the wildcard characters of names it looks up.
      call("getTables escaped name", () -> md.getTables(null, "jmeta", "big\\_orders", null));
      call("getTables SYSTEM TABLE", () -> md.getTables(null, "pg_catalog", "pg_name%", new String[] {"SYSTEM TABLE"}));
      call("getColumns", () -> md.getColumns(null, "jmeta", "orders", null));
      call("getColumns pattern", () -> md.getColumns(null, "jmeta", "%", "%a%"));
      call("getColumns view", () -> md.getColumns(null, "jmeta", "big_orders", null));
      call("getPrimaryKeys", () -> md.getPrimaryKeys(null, "jmeta", "orders"));
      call("getImportedKeys", () -> md.getImportedKeys(null, "jmeta", "orders"));
      call("getExportedKeys", () -> md.getExportedKeys(null, "jmeta", "orders"));
      call("getIndexInfo", () -> md.getIndexInfo(null, "jmeta", "orders", false, true));
      call("getBestRowIdentifier", () -> md.getBestRowIdentifier(null, "jmeta", "orders", DatabaseMetaData.bestRowSession, true));
      call("getVersionColumns", () -> md.getVersionColumns(null, "jmeta", "orders"));
      call("getTablePrivileges", () -> md.getTablePrivileges(null, "jmeta", "items"));
      call("getTypeInfo", md::getTypeInfo);
      call("getUDTs", () -> md.getUDTs(null, "jmeta", "%", null));
      call("getFunctions", () -> md.getFunctions(null, "pg_catalog", "format_type"));
      call("getFunctionColumns", () -> md.getFunctionColumns(null, "pg_catalog", "pg_get_viewdef", null));
      call("getProcedures", () -> md.getProcedures(null, "pg_catalog", "pg_get_keywords"));
      call("getProcedureColumns", () -> md.getProcedureColumns(null, "pg_catalog", "pg_get_keywords", null));
      call("getFunctions user schema", () -> md.getFunctions(null, "jmeta", null));
      call("getClientInfoProperties", md::getClientInfoProperties);

      section("ResultSetMetaData");
      String q = "select o.id, o.customer, o.amount, i.sku, o.amount * 2 as twice, o.uid, o.tags from jmeta.orders o left join jmeta.items i on i.label = o.customer";
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(q)) {
        ResultSetMetaData r = rs.getMetaData();
        for (int i = 1; i <= r.getColumnCount(); i++) {
          System.out.println(r.getColumnLabel(i) + ": table=" + r.getTableName(i) + " schema=" + r.getSchemaName(i) + " base=" + r.getColumnName(i)
              + " nullable=" + r.isNullable(i) + " type=" + r.getColumnTypeName(i) + "/" + r.getColumnType(i) + " class=" + r.getColumnClassName(i)
              + " precision=" + r.getPrecision(i) + " scale=" + r.getScale(i) + " display=" + r.getColumnDisplaySize(i) + " auto=" + r.isAutoIncrement(i)
              + " signed=" + r.isSigned(i) + " case=" + r.isCaseSensitive(i));
        }
      }
    }
  }
}
