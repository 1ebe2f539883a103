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

  /**
   * The ids of the broadcasts whose value the driver still holds as an object, other than Spark's
   * own task binaries (byte[], or kept serialized only). In local mode the driver's block manager is
   * the only one, so a broadcast that was only unpersisted is still listed; a destroyed one is not.
   * Compare sets, as for RDDs.
   */
  public static Set<Long> liveBroadcastIds() {
    session();
    org.apache.spark.storage.BlockManager bm = org.apache.spark.SparkEnv.get().blockManager();
    Set<Long> ids = new TreeSet<>();
    scala.collection.immutable.Seq<org.apache.spark.storage.BlockId> blocks = bm.getMatchingBlockIds(
        new scala.runtime.AbstractFunction1<org.apache.spark.storage.BlockId, Object>() {
          @Override
          public Object apply(org.apache.spark.storage.BlockId id) {
            return id.name().matches("broadcast_\\d+"); // the whole value, not its pieces
          }
        });
    for (org.apache.spark.storage.BlockId id : scala.jdk.javaapi.CollectionConverters.asJava(blocks)) {
      scala.Option<scala.collection.Iterator<Object>> values = bm.memoryStore().getValues(id);
      if (!values.isDefined() || !values.get().hasNext() || values.get().next() instanceof byte[]) {
        continue; // Spark's own: a task binary, or one kept serialized only
      }
      ids.add(Long.parseLong(id.name().substring("broadcast_".length())));
    }
    return ids;
  }

  /**
   * Fails when the driver holds a broadcast ({@link #liveBroadcastIds}) that was not in {@code before}.
   * {@code destroy()} removes the blocks asynchronously, so this waits up to 10 s for them to go.
   */
  public static void assertNoNewBroadcasts(Set<Long> before, String message) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    Set<Long> added = liveBroadcastIds();
    added.removeAll(before);
    while (!added.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      added = liveBroadcastIds();
      added.removeAll(before);
    }
    if (!added.isEmpty()) {
      throw new AssertionError(message + ": broadcasts " + added + " were not destroyed");
    }
  }
}
