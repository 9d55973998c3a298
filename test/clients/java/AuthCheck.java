import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Connection and authentication checks with pgjdbc, for lakegres' test/auth.test.ts and
 * test/tls.test.ts. Reads one case per stdin line, tab separated:
 *   jdbc-url  user  password  sql
 * and prints one line per case:
 *   OK <first column of the first row>
 *   ERR <SQLState> <message>
 */
public class AuthCheck {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            String[] f = line.split("\t", -1);
            if (f.length != 4) {
                System.out.println("ERR usage expected 4 tab-separated fields");
                continue;
            }
            Properties props = new Properties();
            props.setProperty("user", f[1]);
            props.setProperty("password", f[2]);
            props.setProperty("connectTimeout", "10");
            props.setProperty("socketTimeout", "30");
            try (Connection c = DriverManager.getConnection(f[0], props);
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(f[3])) {
                rs.next();
                System.out.println("OK " + rs.getString(1));
            } catch (SQLException e) {
                String msg = String.valueOf(e.getMessage()).replace('\n', ' ');
                System.out.println("ERR " + e.getSQLState() + " " + msg);
            }
            System.out.flush();
        }
    }
}
