package org.sparkamm.algo;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.sparkamm.local.Blas;
import org.sparkamm.sketch.ArrayMasses;
import org.sparkamm.sketch.BlockSketching;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.Side;
import org.sparkamm.sketch.SketchAccumulator;

/**
 * Runs an algorithm in-process on Spark's local matrices (dense or sparse). Inputs are read in
 * place; the result is a new column-major {@link DenseMatrix}. Inputs are assumed validated
 * (shapes, sketch size, finite values) by the public entry point.
 */
public final class LocalEngine {
  /** Threads for sketching large dense inputs: the machine's cores, as native BLAS uses for dgemm. */
  private static final int THREADS = Runtime.getRuntime().availableProcessors();

  private LocalEngine() {}


  public static Timed<DenseMatrix> multiply(AmmAlgorithm algo, Matrix a, Matrix b, int k, long seed) {
    int m = a.numRows();
    int n = a.numCols();
    int p = b.numCols();
    Breakdown.Clock clock = new Breakdown.Clock();
    if (algo.isExact()) {
      DenseMatrix ad = dense(a);
      DenseMatrix bd = dense(b);
      long build = clock.lap();
      double[] c = new double[Math.multiplyExact(m, p)];
      // A row-major (isTransposed) array is the column-major array of the transpose: pass a flag, not a copy.
      Blas.gemm(ad.isTransposed(), bd.isTransposed(), m, p, n, 1.0, ad.values(), ad.isTransposed() ? n : m,
          bd.values(), bd.isTransposed() ? p : n, 0.0, c, m);
      long fab = clock.lap();
      return new Timed<>(new DenseMatrix(m, p, c), new Breakdown(build, 0, fab, 0, 0));
    }
    if (n == 0) {
      return new Timed<>(DenseMatrix.zeros(m, p), Breakdown.zero()); // an empty sum: AB = 0 exactly
    }
    InnerSketch sketch = algo.sketch(n, k, seed, algo.needsMasses() ? masses(a, b) : null);
    long sketchTime = clock.lap();
    SketchAccumulator as = new SketchAccumulator(m, sketch.width());
    BlockSketching.accumulate(as, a, 0, sketch, Side.A, THREADS);
    double[] asv = as.result();
    long buildA = clock.lap();
    SketchAccumulator bs = new SketchAccumulator(p, sketch.width());
    BlockSketching.accumulate(bs, b.transpose(), 0, sketch, Side.B, THREADS);
    double[] bsv = bs.result();
    long buildB = clock.lap() + sketchTime;
    double[] c = Blas.multiplyTransposeB(asv, m, sketch.width(), bsv, p);
    long fab = clock.lap();
    return new Timed<>(new DenseMatrix(m, p, c), new Breakdown(buildA, buildB, fab, 0, 0));
  }

  private static DenseMatrix dense(Matrix x) {
    return x instanceof DenseMatrix ? (DenseMatrix) x : ((org.apache.spark.mllib.linalg.SparseMatrix) x).toDense();
  }

  /** q_i = ||a_i|| ||b_i||, the masses of norm-weighted sampling. */
  public static InnerMasses masses(Matrix a, Matrix b) {
    double[] ca = BlockSketching.columnNormsSquared(a);
    double[] rb = BlockSketching.rowNormsSquared(b);
    double[] q = new double[ca.length];
    for (int i = 0; i < q.length; i++) {
      q[i] = Math.sqrt(ca[i] * rb[i]);
    }
    return new ArrayMasses(q);
  }

  /** The norms behind the error formulas. */
  public static InnerNorms norms(Matrix a, Matrix b) {
    return InnerNorms.of(BlockSketching.columnNormsSquared(a), BlockSketching.rowNormsSquared(b));
  }
}
