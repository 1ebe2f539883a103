package org.sparkamm.spark;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import org.sparkamm.algo.AmmAlgorithm;
import org.sparkamm.algo.ScalarQuantization;
import org.sparkamm.algo.Timed;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.local.ComputeBackend;
import org.sparkamm.local.IntGemm;
import org.sparkamm.quant.FpMode;
import org.sparkamm.quant.QuantizedProduct;
import org.sparkamm.quant.QuantizedTile;
import org.sparkamm.quant.Quantizer;
import org.sparkamm.quant.ScaleMode;

/**
 * Scalar quantization ({@code int8*}, see {@code algo.ScalarQuantization}) on Spark.
 *
 * <p><b>BlockMatrix A (m x n) times BlockMatrix B (n x p).</b>
 * <ol>
 *   <li>Scales (buildA, buildB): one pass over each operand, each block emitting the largest magnitude
 *   of each of its rows (A) or columns (B), reduced by block row (column): about 8 bytes per row of A
 *   per block column shuffled, and 8 (m + p) bytes collected and broadcast once.
 *   <li>Quantization (buildA, buildB): every block quantized where it lies, with no shuffle, into 1,
 *   2 or 1/2 byte per entry (4 for FP32), cached until the product is materialized.
 *   <li>Product (fABTime): {@code BlockMatrix.multiply}'s shape ({@link OutputGrid}): each quantized
 *   block of A is shipped to every output block of its block row, each of B's to every output block
 *   of its block column, i.e. 1/8 (INT8), 1/4 (INT16), 1/16 (INT4) or 1/2 (FP32) of
 *   {@code BlockMatrix.multiply}'s bytes, and each output block is computed in exact integer
 *   arithmetic where its blocks meet ({@code quant.QuantizedProduct}), scaled once per entry. The
 *   inner blocks are split into ranges (partial blocks summed in range order, 8 bytes per output
 *   entry and range) when there are fewer output blocks than twice the cores, or when the blocks
 *   meeting in one task would exceed a quarter of its memory ({@code numMidDimSplits} chooses
 *   instead when set).
 * </ol>
 * Like {@code mm}, this needs A's columns per block to equal B's rows per block. The result has A's
 * rows per block and B's columns per block, is cached and materialized, and is the caller's to
 * unpersist; its lineage reads the scales' broadcast, which is unpersisted (re-fetched on a
 * recompute), never destroyed, when the multiply succeeds (destroyed when it fails).
 *
 * <p><b>Row-aligned X^T Y</b> (X: k x m, Y: k x p sharing their row index): the scales of X's and Y's
 * columns in one pass each (tree-aggregated maxima), then the rows are quantized where they lie and
 * joined by index (a shuffle of 1, 2, 1/2 or 4 bytes per entry instead of {@code mm}'s 8); each
 * partition sums the integer products of its rows in batches of 256 into one m x p {@code long}
 * partial (8 m p bytes), and the partials are tree-reduced to the driver and scaled.
 *
 * <p>FP32's float products (sgemm) run on each executor's backend for the {@link BackendChoice},
 * which travels in the task closures; the integer modes' products are {@link IntGemm} on the CPU.
 */
public final class QuantizedBlockProduct {
  private static final int BATCH = 256;

  private QuantizedBlockProduct() {}

  /** C ~ AB; {@code midDimSplits} 0 chooses the inner split (class comment). */
  public static Timed<BlockMatrix> multiply(AmmAlgorithm algo, BlockMatrix a, BlockMatrix b, int midDimSplits,
      BackendChoice backend) {
    ScalarQuantization q = ScalarQuantization.of(algo);
    FpMode mode = q.mode();
    long m = a.numRows();
    long n = a.numCols();
    long p = b.numCols();
    AmmArgumentException.require(n == b.numRows(),
        "inner dimensions differ: A is %dx%d, B is %dx%d", m, n, b.numRows(), p);
    AmmArgumentException.require(a.colsPerBlock() == b.rowsPerBlock(),
        "%s on Spark needs A's columns per block (%d) to equal B's rows per block (%d)", algo.tag(),
        a.colsPerBlock(), b.rowsPerBlock());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(a.blocks().sparkContext());
    ProductClock clock = new ProductClock(jsc);
    int rpbA = a.rowsPerBlock();
    int cpbB = b.colsPerBlock();
    Broadcast<double[]> scalesA = null;
    Broadcast<double[]> scalesB = null;
    JavaRDD<QuantizedTile> aTiles = null;
    JavaRDD<QuantizedTile> bTiles = null;
    JavaPairRDD<Tuple2<Object, Object>, Matrix> cBlocks = null;
    boolean done = false;
    try {
      scalesA = jsc.broadcast(blockScales(a, true, mode, q.scaleMode()));
      aTiles = quantized(a, mode, scalesA, true);
      aTiles.count();
      long buildA = clock.lap();
      scalesB = jsc.broadcast(blockScales(b, false, mode, q.scaleMode()));
      bTiles = quantized(b, mode, scalesB, false);
      bTiles.count();
      long buildB = clock.lap();

      int nK = a.numColBlocks();
      long outBlocks = (long) a.numRowBlocks() * b.numColBlocks();
      int cores = Math.max(1, jsc.defaultParallelism());
      int splits = midDimSplits > 0 ? midDimSplits
          : Math.max(OutputGrid.splitsForCores(cores, outBlocks, nK), BlockProduct.midDimSplitsFor(a, b, mode.bits / 8.0));
      OutputGrid grid = new OutputGrid(m, p, rpbA, cpbB, nK, splits);
      int parts = (int) Math.max(1, Math.min(outBlocks * grid.splits,
          Math.max(2L * cores, Math.max(a.blocks().getNumPartitions(), b.blocks().getNumPartitions()))));
      Broadcast<double[]> sA = scalesA;
      Broadcast<double[]> sB = scalesB;
      JavaPairRDD<Tuple2<Object, Object>, Matrix> sums = grid.multiply(
          aTiles, t -> new int[] {t.blockRow, t.blockRow, t.blockCol},
          bTiles, t -> new int[] {t.blockCol, t.blockCol, t.blockRow},
          (as, bs, bi, bj, r0, rows, c0, cols) -> QuantizedProduct.block(as, bs, rows, cols, backend.backend()), parts);
      cBlocks = (mode.isInteger() ? sums.mapToPair(e -> {
        DenseMatrix d = (DenseMatrix) e._2();
        QuantizedProduct.scale(d.values(), d.numRows(), d.numCols(), sA.value(), (Integer) e._1()._1() * rpbA,
            sB.value(), (Integer) e._1()._2() * cpbB);
        return e;
      }) : sums).persist(StorageLevel.MEMORY_AND_DISK());
      cBlocks.count();
      long fab = clock.lap();
      done = true;
      return new Timed<>(new BlockMatrix(cBlocks.rdd(), rpbA, cpbB, m, p),
          clock.breakdown(buildA, buildB, fab, 0));
    } finally {
      if (aTiles != null) {
        aTiles.unpersist(false);
      }
      if (bTiles != null) {
        bTiles.unpersist(false);
      }
      if (!done && cBlocks != null) {
        cBlocks.unpersist(false);
      }
      for (Broadcast<double[]> s : java.util.Arrays.asList(scalesA, scalesB)) {
        if (s != null && done) {
          s.unpersist(false); // the result's lineage reads them: re-fetched on a recompute, never destroyed
        } else if (s != null) {
          s.destroy(); // a failure: nothing of this multiply is held by anyone
        }
      }
    }
  }

  /**
   * The scales of A's rows ({@code byRow}) or B's columns, indexed globally (row r of A at r); empty
   * for FP32. Tensor scales repeat the operand's largest scale.
   */
  private static double[] blockScales(BlockMatrix x, boolean byRow, FpMode mode, ScaleMode scaleMode) {
    if (!mode.isInteger()) {
      return new double[0];
    }
    int per = byRow ? x.rowsPerBlock() : x.colsPerBlock();
    long dim = byRow ? x.numRows() : x.numCols();
    AmmArgumentException.require(dim <= Integer.MAX_VALUE - 8,
        "%s: %d %s do not fit one array of scales", "quantization", dim, byRow ? "rows" : "columns");
    Map<Integer, double[]> maxima = JavaPairRDD.fromJavaRDD(x.blocks().toJavaRDD()).mapToPair(e ->
        new Tuple2<>((Integer) (byRow ? e._1()._1() : e._1()._2()), Quantizer.maxAbs(e._2(), byRow)))
        .reduceByKey((u, v) -> {
          double[] w = u.length >= v.length ? u.clone() : v.clone();
          double[] o = u.length >= v.length ? v : u;
          for (int t = 0; t < o.length; t++) {
            w[t] = Math.max(w[t], o[t]);
          }
          return w;
        }).collectAsMap();
    double[] s = new double[(int) dim];
    for (Map.Entry<Integer, double[]> e : maxima.entrySet()) {
      double[] v = e.getValue();
      System.arraycopy(v, 0, s, e.getKey() * per, Math.min(v.length, s.length - e.getKey() * per));
    }
    return Quantizer.scales(s, mode, scaleMode);
  }

  /** Every block quantized where it lies, cached (the caller counts and releases it). */
  private static JavaRDD<QuantizedTile> quantized(BlockMatrix x, FpMode mode, Broadcast<double[]> scales,
      boolean byRow) {
    int per = byRow ? x.rowsPerBlock() : x.colsPerBlock();
    return x.blocks().toJavaRDD().map(e -> {
      int bi = (Integer) e._1()._1();
      int bj = (Integer) e._1()._2();
      Matrix block = e._2();
      double[] s = scales.value();
      double[] local = new double[byRow ? block.numRows() : block.numCols()];
      if (mode.isInteger()) {
        System.arraycopy(s, (byRow ? bi : bj) * per, local, 0, local.length);
      }
      return QuantizedTile.of(bi, bj, block, mode, local, byRow);
    }).persist(StorageLevel.MEMORY_AND_DISK());
  }

  /** C ~ X^T Y for X (k x m) and Y (k x p) sharing their row index; the result is local, m x p. */
  public static Timed<DenseMatrix> multiplyRowAligned(AmmAlgorithm algo, IndexedRowMatrix x, IndexedRowMatrix y,
      BackendChoice backend) {
    ScalarQuantization q = ScalarQuantization.of(algo);
    FpMode mode = q.mode();
    long k = x.numRows();
    int m = Math.toIntExact(x.numCols());
    int p = Math.toIntExact(y.numCols());
    AmmArgumentException.require(k == y.numRows(),
        "row-aligned X^T Y needs the same rows: X is %dx%d, Y is %dx%d", k, m, y.numRows(), p);
    int mp = Math.multiplyExact(m, p);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(x.rows().sparkContext());
    ProductClock clock = new ProductClock(jsc);
    double[] sx = columnScales(x, m, mode, q.scaleMode());
    long buildA = clock.lap();
    double[] sy = columnScales(y, p, mode, q.scaleMode());
    long buildB = clock.lap();
    Broadcast<double[][]> scales = jsc.broadcast(new double[][] {sx, sy});
    try {
      JavaPairRDD<Long, Tuple2<QuantizedTile, QuantizedTile>> pairs = quantizedRows(x, m, mode, scales, 0)
          .join(quantizedRows(y, p, mode, scales, 1));
      JavaRDD<double[]> partial = pairs.mapPartitions(
          (Iterator<Tuple2<Long, Tuple2<QuantizedTile, QuantizedTile>>> it) ->
              Collections.singletonList(mode.isInteger() ? integerPartial(it, m, p, mode)
                  : floatPartial(it, m, p, backend.backend())).iterator());
      double[] sum = OrderedReduce.reduce(partial, Vectors2::plus);
      double[] c = new double[mp];
      for (int j = 0; j < p; j++) {
        for (int i = 0; i < m; i++) {
          // partials are row-major m x p; integer partials hold exact sums (below 2^53), scaled once here
          double v = sum[i * p + j];
          c[i + j * m] = mode.isInteger() ? sx[i] * sy[j] * v : v;
        }
      }
      long fab = clock.lap();
      return new Timed<>(new DenseMatrix(m, p, c), clock.breakdown(buildA, buildB, fab, 0));
    } finally {
      scales.destroy(); // the result is local: nothing reads the scales after this, on any path
    }
  }

  private static double[] columnScales(IndexedRowMatrix x, int dim, FpMode mode, ScaleMode scaleMode) {
    if (!mode.isInteger()) {
      return new double[0];
    }
    double[] max = x.rows().toJavaRDD().treeAggregate(new double[dim], (acc, row) -> {
      Vector v = Vectors2.checked(row, dim);
      v.foreachActive((i, val) -> {
        acc[(Integer) i] = Math.max(acc[(Integer) i], Math.abs((Double) val));
        return scala.runtime.BoxedUnit.UNIT;
      });
      return acc;
    }, (u, v) -> {
      for (int t = 0; t < u.length; t++) {
        u[t] = Math.max(u[t], v[t]);
      }
      return u;
    });
    return Quantizer.scales(max, mode, scaleMode);
  }

  /** Each row quantized where it lies, as a 1 x dim tile with the columns' scales. */
  private static JavaPairRDD<Long, QuantizedTile> quantizedRows(IndexedRowMatrix x, int dim, FpMode mode,
      Broadcast<double[][]> scales, int side) {
    return x.rows().toJavaRDD().mapToPair(r -> {
      DenseMatrix row = new DenseMatrix(1, dim, Vectors2.checked(r, dim).toArray());
      return new Tuple2<>(r.index(), QuantizedTile.of(0, 0, row, mode, scales.value()[side], false));
    });
  }

  /** sum over the rows of x_r^T y_r in exact integers, row-major m x p, as doubles (exact below 2^53). */
  private static double[] integerPartial(Iterator<Tuple2<Long, Tuple2<QuantizedTile, QuantizedTile>>> it, int m,
      int p, FpMode mode) {
    long[] acc = new long[m * p];
    int[] xt = new int[m * BATCH];
    int[] yb = new int[BATCH * p];
    int rows = 0;
    while (it.hasNext()) {
      Tuple2<QuantizedTile, QuantizedTile> pair = it.next()._2();
      int[] xr = pair._1().ints();
      for (int i = 0; i < m; i++) {
        xt[i * BATCH + rows] = xr[i];
      }
      System.arraycopy(pair._2().ints(), 0, yb, rows * p, p);
      if (++rows == BATCH || !it.hasNext()) {
        IntGemm.multiplyAdd(m, rows, p, xt, BATCH, yb, p, acc, p, mode.levels, mode.levels);
        rows = 0;
      }
    }
    double[] out = new double[acc.length];
    for (int t = 0; t < acc.length; t++) {
      out[t] = acc[t];
    }
    return out;
  }

  /** sum over the rows of x_r^T y_r in float32 batches (the backend's sgemm), summed in double, row-major m x p. */
  private static double[] floatPartial(Iterator<Tuple2<Long, Tuple2<QuantizedTile, QuantizedTile>>> it, int m,
      int p, ComputeBackend backend) {
    double[] out = new double[m * p];
    float[] xb = new float[BATCH * m];
    float[] yb = new float[BATCH * p];
    float[] part = new float[m * p];
    int rows = 0;
    while (it.hasNext()) {
      Tuple2<QuantizedTile, QuantizedTile> pair = it.next()._2();
      System.arraycopy(pair._1().floats(), 0, xb, rows * m, m);
      System.arraycopy(pair._2().floats(), 0, yb, rows * p, p);
      if (++rows == BATCH || !it.hasNext()) {
        // Row-major batches are column-major X^T (m x rows) and Y^T (p x rows): C^T = Y^T X, i.e. C row-major.
        backend.sgemm(false, true, p, m, rows, 1.0f, yb, 0, p, xb, 0, m, 0.0f, part, 0, p);
        for (int t = 0; t < out.length; t++) {
          out[t] += part[t];
        }
        rows = 0;
      }
    }
    return out;
  }
}
