package org.sparkamm.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkamm.local.BackendChoice;

/**
 * The names of the backends a {@link BackendChoice} resolves to on the executors (each executor
 * JVM resolves it on its own), for reports such as the command line's JSON line: one small job of
 * one task per core, each resolving the choice where it runs. Executors that no task reached are
 * not reported; in local mode the one executor is the driver.
 */
public final class ExecutorBackends {
  private ExecutorBackends() {}

  /** The distinct names, sorted and joined by '+', e.g. {@code cuda} or {@code cpu+cuda}. */
  public static String names(SparkContext sc, BackendChoice choice) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
    int tasks = Math.max(1, jsc.defaultParallelism());
    List<Integer> slots = new ArrayList<>(tasks);
    for (int t = 0; t < tasks; t++) {
      slots.add(t);
    }
    return String.join("+", new TreeSet<>(jsc.parallelize(slots, tasks).map(t -> choice.backend().name()).collect()));
  }
}
