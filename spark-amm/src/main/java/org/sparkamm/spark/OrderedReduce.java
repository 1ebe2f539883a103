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
 * than {@value #FAN_IN} remain, value i joins group {@code i / FAN_IN} (one shuffle per level; a
 * reducer holds its group's at most {@value #FAN_IN} values and merges them in index order); the
 * last at most {@value #FAN_IN} are collected and merged in index order on the driver. The result
 * is {@code merge(...merge(merge(v_0, v_1), v_2)..., v_last)} bracketed by the tree, a pure function
 * of the partitions' contents and order. Cost: ceil(log_FAN_IN(P)) - 1 shuffles of all partial
 * values for P partitions (none up to {@value #FAN_IN} partitions, one up to {@value #FAN_IN}^2),
 * as {@code treeReduce} at depth 2 for up to 64 partitions.
 *
 * <p>As with {@code treeReduce}, {@code merge} may modify and return its first argument, so the
 * RDD's values must be its own (made by the stage that feeds the reduction, not cached objects).
 */
public final class OrderedReduce {
  /** Values merged by one reducer, and at most on the driver. */
  static final int FAN_IN = 8;

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
    JavaPairRDD<Integer, T> level = JavaPairRDD.fromJavaRDD(rdd.mapPartitionsWithIndex((Integer i, Iterator<T> it) -> {
      if (!it.hasNext()) {
        return Collections.<Tuple2<Integer, T>>emptyIterator();
      }
      T acc = it.next();
      while (it.hasNext()) {
        acc = merge.call(acc, it.next());
      }
      return Collections.singletonList(new Tuple2<>(i, acc)).iterator();
    }, true));
    int count = rdd.getNumPartitions();
    while (count > FAN_IN) {
      int groups = (count + FAN_IN - 1) / FAN_IN;
      level = level.mapToPair(v -> new Tuple2<>(v._1() / FAN_IN, v))
          .groupByKey(groups)
          .mapValues(group -> inOrder(group, merge));
      count = groups;
    }
    List<Tuple2<Integer, T>> last = level.collect();
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
  private static <T> T inOrder(Iterable<Tuple2<Integer, T>> values, Function2<T, T, T> merge) throws Exception {
    List<Tuple2<Integer, T>> sorted = new ArrayList<>();
    values.forEach(sorted::add);
    sorted.sort((x, y) -> Integer.compare(x._1(), y._1()));
    T acc = sorted.get(0)._2();
    for (int k = 1; k < sorted.size(); k++) {
      acc = merge.call(acc, sorted.get(k)._2());
    }
    return acc;
  }
}
