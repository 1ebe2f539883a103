package org.sparkamm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.sparkamm.Amm;
import org.sparkamm.SharedSpark;
import org.sparkamm.TestMatrices;

/**
 * The fixed-order tree reduction: with a merge that does not commute (string concatenation) the
 * result is the values in partition and iterator order, through every level of the tree; and the
 * sketches it sums give the same bits on every run.
 */
class OrderedReduceTest {
  @Test
  void mergesInPartitionAndIteratorOrderAtEveryDepth() {
    // 1 or 2 partitions: merged on the driver; 3 or 4: one shuffle level; 5 to 100: two (groups of ceil(sqrt(P))).
    for (int partitions : new int[] {1, 2, 3, 4, 5, 17, 64, 100}) {
      List<String> values = IntStream.range(0, 250).mapToObj(Integer::toString).collect(Collectors.toList());
      JavaRDD<String> rdd = SharedSpark.jsc().parallelize(values, partitions);
      assertEquals(String.join(",", values), OrderedReduce.reduce(rdd, (x, y) -> x + "," + y), partitions + " partitions");
    }
  }

  @Test
  void emptyPartitionsAreSkippedAndNothingAtAllIsAnError() {
    List<String> values = new ArrayList<>(List.of("a", "b", "c"));
    JavaRDD<String> sparse = SharedSpark.jsc().parallelize(values, 20); // 17 empty partitions among 20
    assertEquals("abc", OrderedReduce.reduce(sparse, (x, y) -> x + y));
    JavaRDD<String> none = SharedSpark.jsc().parallelize(Collections.<String>emptyList(), 12);
    assertEquals("empty collection",
        assertThrows(UnsupportedOperationException.class, () -> OrderedReduce.reduce(none, (x, y) -> x + y)).getMessage());
  }

  /** Row-aligned sums of partial sketches and products from 12 tasks: the same bits on every run (treeReduce's were not). */
  @Test
  void rowAlignedSketchesGiveTheSameBitsOnEveryRun() {
    DenseMatrix x = TestMatrices.gaussian(400, 23, 11);
    DenseMatrix y = TestMatrices.gaussian(400, 19, 12);
    for (String tag : new String[] {"countSketch", "sjlt", "crs"}) {
      double[] first = null;
      for (int run = 0; run < 4; run++) {
        double[] c = Amm.create(tag).setSeed(5).multiplyRowAligned(TestMatrices.indexedRows(x, 12),
            TestMatrices.indexedRows(y, 12), 30).toArray();
        if (first == null) {
          first = c;
        } else {
          assertArrayEquals(first, c, tag + ", run " + run);
        }
      }
    }
  }

  /**
   * BlockMatrix products whose partial sketches come from 8 tasks per key: the same bits on every run
   * here, where a reducer reads map outputs in map order (a cluster's remote fetches need not; see
   * {@link BlockProduct}).
   */
  @Test
  void blockSketchesGiveTheSameBitsOnEveryRun() {
    DenseMatrix a = TestMatrices.gaussian(40, 400, 21);
    DenseMatrix b = TestMatrices.gaussian(400, 30, 22);
    int[][] layouts = {{8, 50, 50, 10}, {40, 25, 25, 30}}; // 15 output blocks (general path); 1 (one job)
    for (int[] l : layouts) {
      for (String tag : new String[] {"countSketch", "weighted-cr"}) { // weighted-cr: masses summed over 5 block rows
        double[] first = null;
        for (int run = 0; run < 2; run++) {
          org.apache.spark.mllib.linalg.distributed.BlockMatrix c = Amm.create(tag).setSeed(5).multiply(
              SparkMatrices.fromLocal(SharedSpark.jsc(), a, l[0], l[1], 8),
              SparkMatrices.fromLocal(SharedSpark.jsc(), b, l[2], l[3], 8), 30);
          double[] v = c.toLocalMatrix().toArray();
          c.blocks().unpersist(false);
          if (first == null) {
            first = v;
          } else {
            assertArrayEquals(first, v, tag + " in blocks " + java.util.Arrays.toString(l) + ", run " + run);
          }
        }
      }
    }
  }
}
