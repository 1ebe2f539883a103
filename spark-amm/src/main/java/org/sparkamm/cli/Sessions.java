package org.sparkamm.cli;

import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a command: the master given by {@code --master}, else the one spark-submit
 * set ({@code spark.master}), else an embedded {@code local[*]} bound to the loopback interface with
 * the web UI off. Spark's console progress bar shows stage progress on stderr, unless the command
 * draws its own.
 */
final class Sessions {
  private Sessions() {}

  /** A session and whether this command created it (and so must stop it). */
  static final class Handle {
    final SparkSession session;
    final boolean owned;

    Handle(SparkSession session, boolean owned) {
      this.session = session;
      this.owned = owned;
    }
  }

  /** The session; {@code consoleProgress} false leaves Spark's stage progress bar off a session it starts. */
  static Handle start(String master, boolean consoleProgress) {
    boolean existed = SparkSession.getDefaultSession().isDefined();
    if (existed && master != null) {
      // getOrCreate would hand back the running session and silently ignore the master asked for.
      String running = SparkSession.getDefaultSession().get().sparkContext().master();
      org.sparkamm.error.AmmArgumentException.require(running.equals(master),
          "a Spark session with master '%s' is already running in this process: stop it first to use --master %s",
          running, master);
    }
    SparkSession.Builder b = SparkSession.builder().appName("spark-amm")
        .config("spark.ui.showConsoleProgress", Boolean.toString(consoleProgress))
        // Executors run a task per core, each calling BLAS/LAPACK: one OpenBLAS thread per task
        // (as bin/spark-amm does for the driver), unless the user's configuration says otherwise.
        .config("spark.executorEnv.OPENBLAS_NUM_THREADS",
            System.getProperty("spark.executorEnv.OPENBLAS_NUM_THREADS", "1"));
    String chosen = master != null ? master : System.getProperty("spark.master", "local[*]");
    b.master(chosen);
    if (chosen.startsWith("local")) {
      b.config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1");
    } else {
      // Executors of a cluster need this library's classes: ship the jar the CLI runs from, as
      // spark-submit does for its application jar (a jar already listed is not added twice).
      String jar = ownJar();
      String jars = System.getProperty("spark.jars", "");
      if (jar != null && !jars.contains(jar)) {
        b.config("spark.jars", jars.isEmpty() ? jar : jars + "," + jar);
      }
    }
    SparkSession s = b.getOrCreate();
    if (!existed) {
      s.sparkContext().setLogLevel("WARN");
    }
    return new Handle(s, !existed);
  }

  /** The jar this class was loaded from, or null when it runs from a classes directory (tests). */
  static String ownJar() {
    try {
      java.security.CodeSource src = Sessions.class.getProtectionDomain().getCodeSource();
      if (src == null) {
        return null;
      }
      java.nio.file.Path path = java.nio.file.Path.of(src.getLocation().toURI());
      return path.toString().endsWith(".jar") ? path.toAbsolutePath().toString() : null;
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }
}
