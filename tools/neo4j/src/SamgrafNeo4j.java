import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;

/**
 * A local Neo4j 5 Community server for Samhandlingsgraf (see graph/neo4j_local.py).
 *
 * Usage: java -cp 'lib/*:build' SamgrafNeo4j HOME [PORT]
 *
 * Starts the embedded DBMS with its Bolt connector on 127.0.0.1 (a free port unless PORT is
 * given), authentication on. The password is SAMGRAF_NEO4J_PASSWORD if set, else the one kept
 * in HOME/password from an earlier start, else a new random one. When the server answers, it
 * writes HOME/connection.json ({"uri", "routing_uri", "username", "password", "pid"}, mode 600)
 * and runs until it gets SIGTERM/SIGINT, which shut the DBMS down cleanly (the file is removed),
 * or until the process SAMGRAF_NEO4J_PARENT_PID names (if set) is gone.
 */
public final class SamgrafNeo4j {
    private SamgrafNeo4j() {}

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String password(Path home) throws IOException {
        String env = System.getenv("SAMGRAF_NEO4J_PASSWORD");
        if (env != null && !env.isBlank()) {
            return env;
        }
        Path kept = home.resolve("password");
        if (Files.exists(kept)) {
            String old = Files.readString(kept, StandardCharsets.UTF_8).strip();
            if (!old.isEmpty()) {
                return old;
            }
        }
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        String fresh = HexFormat.of().formatHex(bytes);
        writePrivate(kept, fresh);
        return fresh;
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * With SAMGRAF_NEO4J_PARENT_PID set (the test suite sets it), stop when that process is
     * gone, however it ended: a test run killed with -9 leaves no server behind.
     */
    private static void watchParent() {
        String parent = System.getenv("SAMGRAF_NEO4J_PARENT_PID");
        if (parent == null || parent.isBlank()) {
            return;
        }
        ProcessHandle handle = ProcessHandle.of(Long.parseLong(parent.strip())).orElse(null);
        Thread watcher = new Thread(() -> {
            while (handle != null && handle.isAlive()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.out.println("Foreldreprosessen er borte: stopper Neo4j");
            System.exit(0);
        }, "samgraf-neo4j-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Embedded code runs with full rights: set the password the clients will use. */
    private static void setPassword(DatabaseManagementService dbms, String pw) {
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", pw));
        } catch (QueryExecutionException e) {
            // a restart with the password kept from the last start: nothing to change
            if (e.getMessage() == null || !e.getMessage().contains("cannot be the same")) {
                throw e;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("bruk: SamgrafNeo4j HOME [PORT]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(home);
        int port = args.length > 1 ? Integer.parseInt(args[1]) : freePort();
        String pageCache = System.getenv().getOrDefault("SAMGRAF_NEO4J_PAGECACHE_MB", "512");
        Path ready = home.resolve("connection.json");
        Files.deleteIfExists(ready);
        String pw = password(home);

        long t0 = System.nanoTime();
        SocketAddress bolt = new SocketAddress("127.0.0.1", port);
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                .setConfig(BoltConnector.advertised_address, bolt)
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.routing_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(Long.parseLong(pageCache)))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(30))
                // query timeouts are enforced within 10 ms (the default checks every 2 s; the
                // compose file sets 100 ms for production)
                .setConfig(GraphDatabaseSettings.transaction_monitor_check_interval, Duration.ofMillis(10))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(ready);
            } catch (IOException ignored) {
                // the file is only a hint; a stale one is detected by its pid
            }
            dbms.shutdown();
            stopped.countDown();
        }, "samgraf-neo4j-shutdown"));

        try {
            setPassword(dbms, pw);
        } catch (RuntimeException e) {
            // the DBMS threads would keep the JVM alive without a server anyone can use
            System.err.println("Kunne ikke sette passordet: " + e.getMessage());
            dbms.shutdown();
            System.exit(1);
        }

        long pid = ProcessHandle.current().pid();
        String addr = "127.0.0.1:" + port;
        writePrivate(ready, "{" + String.join(", ",
                "\"uri\": " + json("bolt://" + addr),
                "\"routing_uri\": " + json("neo4j://" + addr),
                "\"username\": \"neo4j\"",
                "\"password\": " + json(pw),
                "\"pid\": " + pid,
                "\"version\": " + json(org.neo4j.kernel.internal.Version.getNeo4jVersion()),
                "\"start_ms\": " + (System.nanoTime() - t0) / 1_000_000) + "}\n");
        System.out.println("Neo4j klar på bolt://" + addr + " (pid " + pid + ")");
        System.out.flush();
        watchParent();
        stopped.await();
    }
}
