package org.sparkamm.cli;

import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a command: the master given by {@code --master}, else the one spark-submit
 * set ({@code spark.master}), else an embedded {@code local[*]} bound to the loopback interface with
 * the web UI off. Spark's console progress bar shows stage progress on stderr.
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

  static Handle start(String master) {
    boolean existed = SparkSession.getDefaultSession().isDefined();
    SparkSession.Builder b = SparkSession.builder().appName("spark-amm")
        .config("spark.ui.showConsoleProgress", "true")
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
    }
    SparkSession s = b.getOrCreate();
    if (!existed) {
      s.sparkContext().setLogLevel("WARN");
    }
    return new Handle(s, !existed);
  }
}
