package org.sparkamm.spark;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.function.Function2;
import scala.Tuple2;

/**
 * Sums per key in a fixed order, so that floating-point sums are the same bits however a reducer
 * happens to fetch the map outputs (on a cluster remote fetches complete in any order, and {@code
 * reduceByKey} merges in that order). A value of key k from source s travels under the tag {@code
 * k 2^20 + s}; the shuffle partitions by k and sorts each partition by tag, so each key's values
 * arrive consecutively in source order and are merged in that order, streaming.
 *
 * <p>Memory: a reducer holds all of its partition's values before the first merge (Spark's sort
 * checks whether to spill only every 32 records), where {@code reduceByKey} holds about one per key;
 * so it suits few values per reducer, as {@link OrderedReduce}'s groups of {@value
 * OrderedReduce#FAN_IN}.
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
    return tagged.repartitionAndSortWithinPartitions(new ByKey(Math.max(1, partitions)))
        .mapPartitionsToPair(it -> new Merged<>(it, merge), false); // keys, no longer tags: the partitioner is gone
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
