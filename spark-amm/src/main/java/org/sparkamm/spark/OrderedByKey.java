package org.sparkamm.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDDLike;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import scala.Tuple2;

/**
 * Sums per key in a fixed order, so that floating-point sums are the same bits however a reducer
 * happens to fetch the map outputs (on a cluster remote fetches complete in any order; {@code
 * reduceByKey} merges in that order). A value of key k from source s (the index of the task that
 * made it) travels under the tag {@code k 2^20 + s}; the shuffle partitions by k and sorts each
 * partition by tag, so each key's values arrive consecutively in source order and are merged in that
 * order, streaming (the sort spills to disk under memory pressure, as Spark's sorts do).
 *
 * <p>Cost against {@code reduceByKey}: the same bytes shuffled (no map-side combining: callers emit
 * one value per key and task), plus sorting the reduce side's records by a long.
 */
final class OrderedByKey {
  /** Bits of a tag that hold the source: up to 2^20 sources, keys below 2^43. */
  static final int SOURCE_BITS = 20;

  private OrderedByKey() {}

  /** The tag of key {@code key} (0 <= key < 2^43) from source {@code source} (0 <= source < 2^20). */
  static long tag(long key, int source) {
    if (key < 0 || key >= 1L << (63 - SOURCE_BITS) || source < 0 || source >= 1 << SOURCE_BITS) {
      throw new IllegalArgumentException("key " + key + " or source " + source + " out of range");
    }
    return (key << SOURCE_BITS) | source;
  }

  /** For each key, its values merged in source order, in {@code partitions} partitions (by key). */
  static <V> JavaPairRDD<Long, V> reduce(JavaPairRDD<Long, V> tagged, int partitions, Function2<V, V, V> merge) {
    return tagged.repartitionAndSortWithinPartitions(new ByKey(partitions))
        .mapPartitionsToPair(it -> new Merged<>(it, merge), false); // keys, no longer tags: the partitioner is gone
  }

  /**
   * Each task of {@code input} turns its partition into (key, value) pairs, one per key ({@code
   * perTask}, keys 0 <= key); the values of a key are then merged in task order, in {@code
   * partitions} partitions.
   */
  static <T, V> JavaPairRDD<Integer, V> sumPerTask(JavaRDDLike<T, ?> input,
      FlatMapFunction<Iterator<T>, Tuple2<Integer, V>> perTask, int partitions, Function2<V, V, V> merge) {
    JavaPairRDD<Long, V> tagged = JavaPairRDD.fromJavaRDD(input.mapPartitionsWithIndex((task, it) -> {
      List<Tuple2<Long, V>> out = new ArrayList<>();
      Iterator<Tuple2<Integer, V>> values = perTask.call(it);
      while (values.hasNext()) {
        Tuple2<Integer, V> v = values.next();
        out.add(new Tuple2<>(tag(v._1(), task), v._2()));
      }
      return out.iterator();
    }, false));
    return reduce(tagged, partitions, merge).mapToPair(e -> new Tuple2<>((int) (long) e._1(), e._2()));
  }

  /** Partitions tags by their key, as a HashPartitioner partitions the keys. */
  private static final class ByKey extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    ByKey(int partitions) {
      this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object tag) {
      return (int) Math.floorMod((Long) tag >>> SOURCE_BITS, (long) partitions);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ByKey && ((ByKey) o).partitions == partitions;
    }

    @Override
    public int hashCode() {
      return partitions;
    }
  }

  /** A partition's tags in sorted order, each run of one key merged into (key, sum). */
  private static final class Merged<V> implements Iterator<Tuple2<Long, V>> {
    private final Iterator<Tuple2<Long, V>> in;
    private final Function2<V, V, V> merge;
    private Tuple2<Long, V> next;

    Merged(Iterator<Tuple2<Long, V>> in, Function2<V, V, V> merge) {
      this.in = in;
      this.merge = merge;
      this.next = in.hasNext() ? in.next() : null;
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public Tuple2<Long, V> next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      long key = next._1() >>> SOURCE_BITS;
      V sum = next._2();
      next = null;
      while (in.hasNext()) {
        Tuple2<Long, V> t = in.next();
        if (t._1() >>> SOURCE_BITS != key) {
          next = t;
          break;
        }
        try {
          sum = merge.call(sum, t._2());
        } catch (Exception e) {
          throw e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
        }
      }
      return new Tuple2<>(key, sum);
    }
  }
}
