package twin.neo4jlocal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * A real Neo4j Community server in this JVM: Bolt on 127.0.0.1, authentication on, small page
 * cache. Prints {@code NEO4J_URI=bolt://127.0.0.1:<port>} once Bolt accepts connections, and
 * shuts down cleanly on SIGTERM, SIGINT or when standard input closes (so a killed parent never
 * leaves a JVM behind).
 *
 * <p>Options, each also read from the environment: {@code --port N} (NEO4J_LOCAL_PORT, default 0 =
 * a free port), {@code --password P} (NEO4J_LOCAL_PASSWORD, default "twin-local-password"),
 * {@code --data DIR} (NEO4J_LOCAL_DATA, default a fresh temporary folder removed at exit),
 * {@code --page-cache MB} (NEO4J_LOCAL_PAGE_CACHE, default 128).
 */
public final class Neo4jLocal {
  private static final String DEFAULT_PASSWORD = "twin-local-password";

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    int port = Integer.parseInt(option(options, "port", "NEO4J_LOCAL_PORT", "0"));
    String password = option(options, "password", "NEO4J_LOCAL_PASSWORD", DEFAULT_PASSWORD);
    String data = option(options, "data", "NEO4J_LOCAL_DATA", null);
    int pageCacheMb = Integer.parseInt(option(options, "page-cache", "NEO4J_LOCAL_PAGE_CACHE", "128"));
    if (password.length() < 8) fail("--password must have at least 8 characters (Neo4j's minimum)");

    Path home = data != null ? Path.of(data).toAbsolutePath() : Files.createTempDirectory("neo4j-local-");
    boolean temporary = data == null;
    Files.createDirectories(home);

    DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
        .setConfig(BoltConnector.enabled, true)
        .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
        .setConfig(HttpConnector.enabled, false)
        .setConfig(GraphDatabaseSettings.auth_enabled, true)
        .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
        .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, ByteUnit.mebiBytes(256))
        .build();

    CountDownLatch stop = new CountDownLatch(1);
    Thread shutdown = new Thread(() -> {
      dbms.shutdown();
      if (temporary) deleteTree(home);
      stop.countDown();
    }, "neo4j-local-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);

    setPassword(dbms, password);
    GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
    var bolt = db.getDependencyResolver().resolveDependency(ConnectorPortRegister.class).getLocalAddress(ConnectorType.BOLT);
    System.out.println("NEO4J_URI=bolt://127.0.0.1:" + bolt.getPort());
    System.out.println("NEO4J_USERNAME=neo4j");
    System.out.println("NEO4J_PASSWORD=" + password);
    String version = db.executeTransactionally(
        "CALL dbms.components() YIELD versions RETURN versions[0] AS version", Map.of(), r -> (String) r.next().get("version"));
    System.out.println("Neo4j " + version + " ready (data: " + home + (temporary ? ", removed at exit" : "") + ")");
    System.out.flush();

    watchStdin();
    stop.await();
  }

  /** The neo4j user's password, set once on a new data folder (Community has just that user). */
  private static void setPassword(DatabaseManagementService dbms, String password) {
    try {
      dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
          .executeTransactionally("ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
    } catch (RuntimeException e) {
      // A kept --data folder already has this password; Neo4j refuses to "change" it to itself.
      if (!String.valueOf(e.getMessage()).contains("cannot be the same")) throw e;
    }
  }

  /** Exit (running the shutdown hook) when the parent closes our standard input. */
  private static void watchStdin() {
    Thread watcher = new Thread(() -> {
      try (InputStream in = System.in) {
        byte[] buffer = new byte[256];
        while (in.read(buffer) >= 0) {
          // input is ignored; only its end matters
        }
      } catch (IOException ignored) {
        // a broken pipe means the parent is gone, same as end of input
      }
      System.exit(0);
    }, "neo4j-local-stdin");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (!name.startsWith("--") || i + 1 >= args.length) fail("usage: [--port N] [--password P] [--data DIR] [--page-cache MB], got " + String.join(" ", args));
      String key = name.substring(2);
      if (!java.util.Set.of("port", "password", "data", "page-cache").contains(key)) fail("unknown option " + name);
      options.put(key, args[++i]);
    }
    return options;
  }

  private static String option(Map<String, String> options, String name, String env, String fallback) {
    String value = options.get(name);
    if (value == null) value = System.getenv(env);
    return value == null || value.isEmpty() ? fallback : value;
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not remove " + root + ": " + e.getMessage());
    }
  }

  private static void fail(String message) {
    System.err.println("neo4j-local: " + message);
    System.exit(2);
  }
}
