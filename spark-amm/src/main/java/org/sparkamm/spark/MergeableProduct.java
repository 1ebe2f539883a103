package org.sparkamm.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import org.sparkamm.algo.AmmAlgorithm;
import org.sparkamm.algo.Timed;
import org.sparkamm.sketch.CoOccurringDirections;
import org.sparkamm.sketch.ColumnPanels;

/**
 * The third distributed shape, mergeable sketches ({@code cooFD}, {@code bcooFD}): the pairs
 * (a_i, b_i) of the inner dimension must meet, each task sketches the pairs it holds into one
 * sketch, and the partial sketches are merged on the driver in partition order (at most two tasks
 * per core, so at most 2 x cores partial sketches of (m + p) 2 l doubles reach it). The same inputs
 * and partitioning give the same result; the error bound holds for any merge order.
 *
 * <p>BlockMatrix: A's blocks (I, K) and B's blocks (K, J) are grouped by inner block K (a shuffle of
 * both inputs, once: the price of a sketch that needs a_i and b_i together); each group's columns
 * are fed to the task's sketch in panels of {@value #PANEL} pairs. The result C = BX BY^T (m x p)
 * is formed on the driver and returned as a cached BlockMatrix with A's rows and B's columns per
 * block. Row-aligned X^T Y: the rows of X and Y are joined by index (a shuffle of both) and fed in
 * panels of consecutive pairs.
 */
final class MergeableProduct {
  private static final int PANEL = 256;

  private MergeableProduct() {}

  static Timed<BlockMatrix> multiply(AmmAlgorithm algo, BlockMatrix a, BlockMatrix b, int l) {
    long m = a.numRows();
    long n = a.numCols();
    long p = b.numCols();
    CoOccurringDirections empty = algo.mergeableSketch(m, p, l); // checks l against m and p first
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(a.blocks().sparkContext());
    ProductClock clock = new ProductClock(jsc);
    int rpbA = a.rowsPerBlock();
    int cpbA = a.colsPerBlock();
    int rpbB = b.rowsPerBlock();
    int cpbB = b.colsPerBlock();
    // Key both sides by B's inner blocks; A's blocks are cut along them when the grids differ.
    JavaPairRDD<Integer, Tuple2<Integer, Matrix>> aByK = JavaPairRDD.fromJavaRDD(a.blocks().toJavaRDD())
        .flatMapToPair(e -> {
          int i = (Integer) e._1()._1();
          long from = (long) (Integer) e._1()._2() * cpbA;
          Matrix block = e._2();
          List<Tuple2<Integer, Tuple2<Integer, Matrix>>> out = new ArrayList<>();
          for (int done = 0; done < block.numCols(); ) {
            long col = from + done;
            int k = (int) (col / rpbB);
            int offset = (int) (col - (long) k * rpbB);
            int len = Math.min(block.numCols() - done, rpbB - offset);
            out.add(new Tuple2<>(k, new Tuple2<>(i, columnsAt(block, done, len, offset, rpbB, n, k))));
            done += len;
          }
          return out.iterator();
        });
    JavaPairRDD<Integer, Tuple2<Integer, Matrix>> bByK = JavaPairRDD.fromJavaRDD(b.blocks().toJavaRDD())
        .mapToPair(e -> new Tuple2<>((Integer) e._1()._1(), new Tuple2<>((Integer) e._1()._2(), e._2())));
    int parts = Math.max(1, Math.min(2 * jsc.defaultParallelism(), (int) ((n + rpbB - 1) / rpbB)));
    JavaRDD<CoOccurringDirections> partial = aByK.cogroup(bByK, new HashPartitioner(parts)).mapPartitions(it -> {
      CoOccurringDirections sketch = empty.empty();
      double[] pa = new double[(int) m * PANEL];
      double[] pb = new double[(int) p * PANEL];
      while (it.hasNext()) {
        Tuple2<Integer, Tuple2<Iterable<Tuple2<Integer, Matrix>>, Iterable<Tuple2<Integer, Matrix>>>> group = it.next();
        int width = (int) Math.min(rpbB, n - (long) group._1() * rpbB);
        for (int from = 0; from < width; from += PANEL) {
          int len = Math.min(PANEL, width - from);
          java.util.Arrays.fill(pa, 0.0);
          java.util.Arrays.fill(pb, 0.0);
          for (Tuple2<Integer, Matrix> ab : group._2()._1()) {
            ColumnPanels.add(ab._2(), from, len, pa, 0, (int) m, ab._1() * rpbA);
          }
          for (Tuple2<Integer, Matrix> bb : group._2()._2()) {
            ColumnPanels.add(bb._2().transpose(), from, len, pb, 0, (int) p, bb._1() * cpbB);
          }
          sketch.add(pa, 0, pb, 0, len);
        }
      }
      return Collections.singletonList(sketch).iterator();
    });
    CoOccurringDirections sketch = mergeInOrder(partial.collect(), empty);
    long build = clock.lap();
    DenseMatrix c = new DenseMatrix((int) m, (int) p, sketch.product());
    long fab = clock.lap();
    BlockMatrix result = SparkMatrices.fromLocal(jsc, c, rpbA, cpbB, Math.max(1, a.blocks().getNumPartitions()));
    result.blocks().persist(StorageLevel.MEMORY_AND_DISK());
    result.blocks().count();
    long post = clock.lap();
    return new Timed<>(result, clock.breakdown(build, 0, fab, post));
  }

  /**
   * Columns [done, done + len) of {@code block}, placed at offset {@code offset} of inner block k
   * (width min(rpbB, n - k rpbB)): a block of A cut along B's inner grid.
   */
  private static Matrix columnsAt(Matrix block, int done, int len, int offset, int rpbB, long n, int k) {
    int width = (int) Math.min(rpbB, n - (long) k * rpbB);
    if (done == 0 && offset == 0 && len == block.numCols() && width == len) {
      return block;
    }
    double[] v = new double[block.numRows() * width];
    ColumnPanels.add(block, done, len, v, offset * block.numRows(), block.numRows(), 0);
    return new DenseMatrix(block.numRows(), width, v);
  }

  static Timed<DenseMatrix> multiplyRowAligned(AmmAlgorithm algo, IndexedRowMatrix x, IndexedRowMatrix y, int l) {
    long n = x.numRows();
    int m = Math.toIntExact(x.numCols());
    int p = Math.toIntExact(y.numCols());
    CoOccurringDirections empty = algo.mergeableSketch(m, p, l);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(x.rows().sparkContext());
    ProductClock clock = new ProductClock(jsc);
    int parts = Math.max(1, Math.min(2 * jsc.defaultParallelism(), (int) Math.max(1, n / PANEL)));
    JavaPairRDD<Long, Tuple2<Vector, Vector>> pairs = x.rows().toJavaRDD()
        .mapToPair(r -> new Tuple2<>(r.index(), Vectors2.checked(r, m)))
        .join(y.rows().toJavaRDD().mapToPair(r -> new Tuple2<>(r.index(), Vectors2.checked(r, p))),
            new HashPartitioner(parts));
    JavaRDD<CoOccurringDirections> partial = pairs.mapPartitions((Iterator<Tuple2<Long, Tuple2<Vector, Vector>>> it) -> {
      CoOccurringDirections sketch = empty.empty();
      // Sort the partition's pairs by index so that the sketch sees them in a fixed order.
      List<Tuple2<Long, Tuple2<Vector, Vector>>> rows = new ArrayList<>();
      it.forEachRemaining(rows::add);
      rows.sort((u, v) -> Long.compare(u._1(), v._1()));
      double[] pa = new double[m * PANEL];
      double[] pb = new double[p * PANEL];
      for (int from = 0; from < rows.size(); from += PANEL) {
        int len = Math.min(PANEL, rows.size() - from);
        java.util.Arrays.fill(pa, 0.0);
        java.util.Arrays.fill(pb, 0.0);
        for (int j = 0; j < len; j++) {
          Tuple2<Vector, Vector> pair = rows.get(from + j)._2();
          Vectors2.copyInto(pair._1(), pa, j * m, 1);
          Vectors2.copyInto(pair._2(), pb, j * p, 1);
        }
        sketch.add(pa, 0, pb, 0, len);
      }
      return Collections.singletonList(sketch).iterator();
    });
    CoOccurringDirections sketch = mergeInOrder(partial.collect(), empty);
    long build = clock.lap();
    double[] c = sketch.product();
    long fab = clock.lap();
    return new Timed<>(new DenseMatrix(m, p, c), clock.breakdown(build, 0, fab, 0));
  }

  /** Merges the partial sketches pairwise, in a balanced tree over partition order: a fixed order. */
  private static CoOccurringDirections mergeInOrder(List<CoOccurringDirections> parts, CoOccurringDirections empty) {
    List<CoOccurringDirections> level = new ArrayList<>(parts);
    if (level.isEmpty()) {
      return empty;
    }
    while (level.size() > 1) {
      List<CoOccurringDirections> next = new ArrayList<>();
      for (int i = 0; i < level.size(); i += 2) {
        next.add(i + 1 < level.size() ? level.get(i).merge(level.get(i + 1)) : level.get(i));
      }
      level = next;
    }
    return level.get(0);
  }
}
