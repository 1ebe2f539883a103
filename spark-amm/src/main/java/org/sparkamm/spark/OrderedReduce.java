package org.sparkamm.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import scala.Tuple2;

/**
 * Reduces an RDD in a tree whose merges happen in a fixed order, so that floating-point sums come
 * out the same bits on every run. Spark's {@code treeReduce} merges partial results in the order
 * their tasks finish (map-side, in each reducer, and on the driver), which moves the last bits of a
 * sum of partial sketches from run to run.
 *
 * <p>Here partition i's values are merged in iterator order into one value v_i; then, while more
 * than {@value #AT_DRIVER} remain, value i joins group {@code i / }{@value #FAN_IN}, and each
 * group's values are merged in index order in one task (one shuffle per level); the last at most
 * {@value #AT_DRIVER} values are merged in index order on the driver. The result is {@code
 * merge(...merge(merge(v_0, v_1), v_2)..., v_last)} bracketed by the tree, a pure function of the
 * partitions' contents and order. Cost for P partitions: ceil(log_4(P / 2)) shuffle levels (none for
 * 1 or 2 partitions, one for 3 to 8, two up to 32, three up to 128), the k-th moving P / 4^(k-1)
 * values; a task holds at most {@value #FAN_IN} values, the driver {@value #AT_DRIVER} (Spark's
 * {@code treeReduce} at depth 2: one level of sqrt(P) groups, each task merging values as they
 * arrive, then the driver merging sqrt(P) values as their tasks finish).
 *
 * <p>As with {@code treeReduce}, {@code merge} may modify and return its first argument, so the
 * RDD's values must be its own (made by the stage that feeds the reduction, not cached objects).
 */
public final class OrderedReduce {
  /** Values one task merges at a level of the tree. */
  static final int FAN_IN = 4;
  /** Values left for the driver to merge. */
  static final int AT_DRIVER = 2;

  private OrderedReduce() {}

  /** The values of {@code rdd} merged in partition and iterator order; an error if it has none. */
  public static <T> T reduce(JavaRDD<T> rdd, Function2<T, T, T> merge) {
    T sum = reduceOr(rdd, merge, null);
    if (sum == null) {
      throw new UnsupportedOperationException("empty collection");
    }
    return sum;
  }

  /** The values of {@code rdd} merged in partition and iterator order, or {@code none} when it has none. */
  public static <T> T reduceOr(JavaRDD<T> rdd, Function2<T, T, T> merge, T none) {
    JavaPairRDD<Long, T> level = JavaPairRDD.fromJavaRDD(rdd.mapPartitionsWithIndex((Integer i, Iterator<T> it) -> {
      if (!it.hasNext()) {
        return Collections.<Tuple2<Long, T>>emptyIterator();
      }
      T acc = it.next();
      while (it.hasNext()) {
        acc = merge.call(acc, it.next());
      }
      return Collections.singletonList(new Tuple2<>((long) i, acc)).iterator();
    }, false));
    long count = rdd.getNumPartitions();
    while (count > AT_DRIVER) {
      long groups = (count + FAN_IN - 1) / FAN_IN;
      level = level.mapToPair(v -> new Tuple2<>(v._1() / FAN_IN, v))
          .groupByKey((int) groups)
          .mapValues(group -> inOrder(group, merge));
      count = groups;
    }
    List<Tuple2<Long, T>> last = level.collect();
    if (last.isEmpty()) {
      return none;
    }
    try {
      return inOrder(last, merge);
    } catch (Exception e) {
      throw e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
    }
  }

  /** Values keyed by their index, merged in index order. */
  private static <T> T inOrder(Iterable<Tuple2<Long, T>> values, Function2<T, T, T> merge) throws Exception {
    List<Tuple2<Long, T>> sorted = new ArrayList<>();
    values.forEach(sorted::add);
    sorted.sort((x, y) -> Long.compare(x._1(), y._1()));
    T acc = sorted.get(0)._2();
    for (int k = 1; k < sorted.size(); k++) {
      acc = merge.call(acc, sorted.get(k)._2());
    }
    return acc;
  }
}
