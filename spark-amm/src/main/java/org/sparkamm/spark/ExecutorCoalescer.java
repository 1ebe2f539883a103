package org.sparkamm.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.Partition;
import org.apache.spark.SparkEnv;
import org.apache.spark.rdd.PartitionCoalescer;
import org.apache.spark.rdd.PartitionGroup;
import org.apache.spark.rdd.RDD;
import org.apache.spark.scheduler.TaskLocation;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManagerId;
import org.apache.spark.storage.RDDBlockId;
import scala.Option;
import scala.collection.Seq;

/**
 * Coalesces partitions by the executor that caches them, not by host: Spark's default coalescer
 * groups by preferred host, so with several executors on a host a task is scheduled NODE_LOCAL and
 * fetches the blocks other executors of the host cache. Here a group holds partitions cached by one
 * executor, and asks for that executor ({@code executor_HOST_ID}, which the scheduler reads as
 * PROCESS_LOCAL); each location gets groups in proportion to its partitions, at least one, cut in
 * index order. Partitions not cached keep their RDD's own preferred host (an HDFS split's), or none.
 */
final class ExecutorCoalescer implements PartitionCoalescer, Serializable {
  private static final long serialVersionUID = 1L;

  @Override
  public PartitionGroup[] coalesce(int maxPartitions, RDD<?> parent) {
    Partition[] parts = parent.partitions();
    String[] where = new String[parts.length];
    // Asked of the block manager master itself: the scheduler's cache of block locations can still
    // say "not cached" for an RDD the previous job has just cached, until the next job starts.
    BlockId[] ids = new BlockId[parts.length];
    for (int i = 0; i < parts.length; i++) {
      ids[i] = new RDDBlockId(parent.id(), i);
    }
    scala.collection.immutable.IndexedSeq<scala.collection.immutable.Seq<BlockManagerId>> cached =
        SparkEnv.get().blockManager().master().getLocations(ids);
    for (int i = 0; i < parts.length; i++) {
      scala.collection.immutable.Seq<BlockManagerId> at = cached.apply(i);
      if (!at.isEmpty()) {
        where[i] = TaskLocation.apply(at.head().host(), at.head().executorId()).toString();
      } else {
        Seq<String> hosts = parent.preferredLocations(parts[i]);
        where[i] = hosts.isEmpty() ? null : hosts.head();
      }
    }
    List<PartitionGroup> out = new ArrayList<>();
    for (Map.Entry<String, List<int[]>> e : groups(where, maxPartitions).entrySet()) {
      for (int[] members : e.getValue()) {
        PartitionGroup g = new PartitionGroup(Option.apply(e.getKey()));
        for (int i : members) {
          g.partitions().addOne(parts[i]);
        }
        out.add(g);
      }
    }
    return out.toArray(new PartitionGroup[0]);
  }

  /**
   * Partition indices by location (null: none), each location's cut into
   * {@code max(1, round(count * maxPartitions / total))} groups of consecutive indices.
   */
  static Map<String, List<int[]>> groups(String[] where, int maxPartitions) {
    Map<String, List<Integer>> byLoc = new LinkedHashMap<>();
    for (int i = 0; i < where.length; i++) {
      byLoc.computeIfAbsent(where[i], k -> new ArrayList<>()).add(i);
    }
    Map<String, List<int[]>> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<Integer>> e : byLoc.entrySet()) {
      List<Integer> members = e.getValue();
      int count = members.size();
      int k = (int) Math.max(1, Math.min(count, Math.round((double) count * maxPartitions / where.length)));
      List<int[]> cut = new ArrayList<>();
      for (int g = 0; g < k; g++) {
        int from = (int) ((long) count * g / k);
        int to = (int) ((long) count * (g + 1) / k);
        int[] part = new int[to - from];
        for (int t = from; t < to; t++) {
          part[t - from] = members.get(t);
        }
        cut.add(part);
      }
      out.put(e.getKey(), cut);
    }
    return out;
  }
}
