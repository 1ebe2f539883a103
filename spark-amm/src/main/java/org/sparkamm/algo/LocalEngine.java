package org.sparkamm.algo;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.local.ComputeBackend;
import org.sparkamm.sketch.ArrayMasses;
import org.sparkamm.sketch.BlockSketching;
import org.sparkamm.sketch.CoOccurringDirections;
import org.sparkamm.sketch.ColumnPanels;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.Side;
import org.sparkamm.sketch.SketchAccumulator;
import org.sparkamm.sketch.SketchedBlock;

/**
 * Runs an algorithm in-process on Spark's local matrices (dense or sparse). Inputs are read in
 * place; the result is a new column-major {@link DenseMatrix}. Shapes and sketch size are assumed
 * validated by the public entry point; a NaN or infinite input value is rejected here with a
 * one-line error ({@link FiniteInputs}), by reading the inputs first or, where the sketches add
 * every value ({@link AmmAlgorithm#sketchAddsEveryValue}), by checking the sketches. The exact
 * product, the sketches' scatter-adds and dense tiles, the reduced product and the float32 products
 * of {@code int8_fp32} run on this JVM's backend for the caller's {@link BackendChoice}, resolved
 * once per multiply.
 */
public final class LocalEngine {
  /** Threads for sketching large dense inputs: the machine's cores, as native BLAS uses for dgemm. */
  private static final int THREADS = Runtime.getRuntime().availableProcessors();

  private LocalEngine() {}


  public static Timed<DenseMatrix> multiply(AmmAlgorithm algo, Matrix a, Matrix b, int k, long seed,
      BackendChoice choice) {
    ComputeBackend backend = choice.backend(); // a one-line error here for requireGpu without a GPU
    int m = a.numRows();
    int n = a.numCols();
    int p = b.numCols();
    Breakdown.Clock clock = new Breakdown.Clock();
    boolean checkSketches = algo.sketchAddsEveryValue();
    if (!checkSketches) {
      FiniteInputs.require(a, "A");
      FiniteInputs.require(b, "B");
    }
    if (algo.isExact()) {
      DenseMatrix ad = dense(a);
      DenseMatrix bd = dense(b);
      long build = clock.lap();
      double[] c = new double[Math.multiplyExact(m, p)];
      // A row-major (isTransposed) array is the column-major array of the transpose: pass a flag, not a copy.
      backend.dgemm(ad.isTransposed(), bd.isTransposed(), m, p, n, 1.0, ad.values(), 0, ad.isTransposed() ? n : m,
          bd.values(), 0, bd.isTransposed() ? p : n, 0.0, c, 0, m);
      long fab = clock.lap();
      return new Timed<>(new DenseMatrix(m, p, c), new Breakdown(build, 0, fab, 0, 0));
    }
    if (algo.quantizesEntries()) { return QuantizedLocal.multiply(algo, a, b, backend); }
    if (algo.samplesEntries()) { return EntrySampledLocal.multiply(a, b, k, seed); }
    if (algo.factorsBlocks()) { return BlockLowRankLocal.multiply(algo, a, b); }
    if (algo.needsTraining()) { return CodebookLocal.multiply((CodebookAlgorithm) algo, a, b); }
    if (algo.mergesSketches()) {
      return mergeable(algo, a, b, k);
    }
    if (n == 0) {
      return new Timed<>(DenseMatrix.zeros(m, p), Breakdown.zero()); // an empty sum: AB = 0 exactly
    }
    InnerSketch sketch = algo.sketch(n, k, seed, algo.needsMasses() ? masses(a, b) : null);
    long sketchTime = clock.lap();
    SketchedBlock as = sketch(a, m, sketch, Side.A, algo.needsOuterNorms(), choice);
    long buildA = clock.lap();
    SketchedBlock bs = sketch(b.transpose(), p, sketch, Side.B, algo.needsOuterNorms(), choice);
    if (checkSketches && !(FiniteInputs.allFinite(as.values) && FiniteInputs.allFinite(bs.values))) {
      FiniteInputs.require(a, "A"); // a non-finite sketch: a non-finite input, or finite sums that overflowed
      FiniteInputs.require(b, "B");
    }
    long buildB = clock.lap() + sketchTime;
    SignProbes probes = algo.probes(p, k, seed);
    int chosen = probes == null ? 0 : algo.choose(residuals(probes, a, b, as, bs));
    double[] c = algo.reducedProduct(k, chosen).multiply(as, bs, backend);
    long fab = clock.lap();
    return new Timed<>(new DenseMatrix(m, p, c), new Breakdown(buildA, buildB, fab, 0, 0));
  }

  /** Pairs per batch of a mergeable sketch: copied into its free slots between shrinks. */
  private static final int PANEL = 256;

  /** A mergeable sketch fed A's columns and B's rows, {@value #PANEL} pairs at a time. */
  private static Timed<DenseMatrix> mergeable(AmmAlgorithm algo, Matrix a, Matrix b, int l) {
    Breakdown.Clock clock = new Breakdown.Clock();
    int m = a.numRows();
    int n = a.numCols();
    int p = b.numCols();
    CoOccurringDirections sketch = algo.mergeableSketch(m, p, l);
    Matrix bt = b.transpose();
    double[] pa = new double[m * PANEL];
    double[] pb = new double[p * PANEL];
    for (int from = 0; from < n; from += PANEL) {
      int len = Math.min(PANEL, n - from);
      java.util.Arrays.fill(pa, 0.0);
      java.util.Arrays.fill(pb, 0.0);
      ColumnPanels.add(a, from, len, pa, 0, m, 0);
      ColumnPanels.add(bt, from, len, pb, 0, p, 0);
      sketch.add(pa, 0, pb, 0, len);
    }
    long build = clock.lap();
    double[] c = sketch.product();
    long fab = clock.lap();
    return new Timed<>(new DenseMatrix(m, p, c), new Breakdown(build, 0, fab, 0, 0));
  }

  private static SketchedBlock sketch(Matrix m, int rows, InnerSketch sketch, Side side, boolean outerNorms,
      BackendChoice choice) {
    SketchAccumulator acc = new SketchAccumulator(rows, sketch.width(), choice);
    if (outerNorms) {
      acc.trackOuterNorms();
    }
    BlockSketching.accumulate(acc, m, 0, sketch, side, THREADS);
    return acc.finish();
  }

  /** The probe residuals of repeated sketches: exact probes A (B Q^T) against each repeat's estimate. */
  private static double[][] residuals(SignProbes probes, Matrix a, Matrix b, SketchedBlock as, SketchedBlock bs) {
    int p = b.numCols();
    int t = probes.count();
    DenseMatrix qt = new DenseMatrix(p, t, probes.slice(0, p), true); // Q^T: Q (T x p) column-major read row-major
    DenseMatrix exact = a.multiply(b.multiply(qt));
    double[] qb = new double[t * bs.width];
    probes.addSketchProbes(bs.values, p, bs.width, 0, qb);
    return probes.residuals(exact.values(), as.values, a.numRows(), qb);
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
