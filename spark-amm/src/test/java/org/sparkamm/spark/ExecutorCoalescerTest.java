package org.sparkamm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.junit.jupiter.api.Test;
import org.sparkamm.SharedSpark;
import org.sparkamm.TestMatrices;

/** The sketching pass coalesces cached blocks by the executor holding them. */
class ExecutorCoalescerTest {
  @Test
  void groupsByLocationInProportionAndInOrder() {
    String[] where = {"executor_h_1", "executor_h_2", "executor_h_1", "executor_h_2", "executor_h_1", null,
        "executor_h_2", "executor_h_1"};
    Map<String, List<int[]>> g = ExecutorCoalescer.groups(where, 4);
    assertEquals(2, g.get("executor_h_1").size());
    assertArrayEquals(new int[] {0, 2}, g.get("executor_h_1").get(0));
    assertArrayEquals(new int[] {4, 7}, g.get("executor_h_1").get(1));
    assertArrayEquals(new int[] {1}, g.get("executor_h_2").get(0));
    assertArrayEquals(new int[] {3, 6}, g.get("executor_h_2").get(1));
    assertArrayEquals(new int[] {5}, g.get(null).get(0));
    List<Integer> all = new ArrayList<>();
    g.values().forEach(groups -> groups.forEach(members -> Arrays.stream(members).forEach(all::add)));
    all.sort(null);
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), all, "every partition exactly once");
  }

  @Test
  void cachedBlocksAreCoalescedOntoTheirExecutor() {
    BlockMatrix a = SparkMatrices.fromLocal(SharedSpark.jsc(), TestMatrices.gaussian(40, 30, 1), 5, 5, 16);
    a.blocks().cache().count();
    try {
      JavaPairRDD<scala.Tuple2<Object, Object>, org.apache.spark.mllib.linalg.Matrix> c =
          BlockProduct.coalesced(JavaPairRDD.fromJavaRDD(a.blocks().toJavaRDD()), SharedSpark.jsc());
      assertTrue(c.getNumPartitions() < 16, "coalesced to " + c.getNumPartitions());
      for (org.apache.spark.Partition p : c.rdd().partitions()) {
        scala.collection.immutable.Seq<String> locs = c.rdd().preferredLocations(p).toList();
        assertTrue(!locs.isEmpty() && locs.head().startsWith("executor_"), "preferred " + locs);
      }
      assertEquals(a.blocks().count(), c.count());
    } finally {
      a.blocks().unpersist(false);
    }
  }
}
