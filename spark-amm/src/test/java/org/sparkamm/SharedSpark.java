package org.sparkamm;

import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** One local[2] SparkSession for the whole test JVM (Spark takes about 3.5 s to start). */
public final class SharedSpark {
  private static SparkSession session;

  private SharedSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      session = SparkSession.builder().master("local[2]").appName("spark-amm-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.ui.showConsoleProgress", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.sql.shuffle.partitions", "4")
          .getOrCreate();
      session.sparkContext().setLogLevel("ERROR");
    }
    return session;
  }

  public static JavaSparkContext jsc() {
    return JavaSparkContext.fromSparkContext(session().sparkContext());
  }

  /**
   * The ids of the RDDs cached now. Spark's ContextCleaner unpersists earlier tests' unreachable
   * RDDs at any moment, so tests compare these sets, never their sizes (RDD ids are never reused).
   */
  public static Set<Integer> cachedRddIds() {
    return new TreeSet<>(jsc().getPersistentRDDs().keySet());
  }

  /** Fails when an RDD is cached now that was not in {@code before}. */
  public static void assertNothingNewCached(Set<Integer> before, String message) {
    Set<Integer> added = cachedRddIds();
    added.removeAll(before);
    if (!added.isEmpty()) {
      throw new AssertionError(message + ": RDDs " + added + " are still cached");
    }
  }
}
