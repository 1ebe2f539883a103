package org.sparkamm;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.sparkamm.random.CounterRng;

/** Small deterministic test inputs and an obviously correct reference product. */
public final class TestMatrices {
  private TestMatrices() {}

  /**
   * rows x cols Gaussian entries, column j scaled by 1 + 4 (j mod 5) / 4, so that column norms
   * differ and norm-weighted sampling is not uniform sampling.
   */
  public static DenseMatrix gaussian(int rows, int cols, long seed) {
    long key = CounterRng.streamKey(seed, 999);
    double[] v = new double[rows * cols];
    for (int j = 0; j < cols; j++) {
      double scale = 1 + (j % 5);
      for (int i = 0; i < rows; i++) {
        v[i + j * rows] = scale * CounterRng.gaussian(key, (long) i * cols + j);
      }
    }
    return new DenseMatrix(rows, cols, v);
  }

  /** rows x cols entries uniform on [0, 1): non-negative, like LibAMM's {@code random} loader. */
  public static DenseMatrix uniform(int rows, int cols, long seed) {
    long key = CounterRng.streamKey(seed, 998);
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = CounterRng.uniform(key, i);
    }
    return new DenseMatrix(rows, cols, v);
  }

  /**
   * Coherent, heavy-tailed inputs: Gaussian entries with the inner index i (a column when
   * {@code innerIsColumn}, else a row) scaled by 30 for i &lt; 3 and by (i + 1)^-0.75 beyond, so
   * that three inner indices hold most of the mass and the rest decays like a power law.
   */
  public static DenseMatrix coherent(int rows, int cols, long seed, boolean innerIsColumn) {
    long key = CounterRng.streamKey(seed, 997);
    double[] v = new double[rows * cols];
    for (int j = 0; j < cols; j++) {
      for (int i = 0; i < rows; i++) {
        int inner = innerIsColumn ? j : i;
        double scale = inner < 3 ? 30.0 : Math.pow(inner + 1, -0.75);
        v[i + j * rows] = scale * CounterRng.gaussian(key, (long) i * cols + j);
      }
    }
    return new DenseMatrix(rows, cols, v);
  }

  /** The same values stored row-major (Spark's isTransposed layout). */
  public static DenseMatrix rowMajor(Matrix m) {
    int r = m.numRows();
    int c = m.numCols();
    double[] v = new double[r * c];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        v[i * c + j] = m.apply(i, j);
      }
    }
    return new DenseMatrix(r, c, v, true);
  }

  /** The same values as a sparse CSC matrix with every third entry zeroed. */
  public static SparseMatrix sparsified(Matrix m) {
    DenseMatrix d = new DenseMatrix(m.numRows(), m.numCols(), m.toArray());
    double[] v = d.values();
    for (int i = 0; i < v.length; i += 3) {
      v[i] = 0;
    }
    return SparseMatrix.fromCOO(d.numRows(), d.numCols(), coo(d));
  }

  private static scala.collection.Iterable<scala.Tuple3<Object, Object, Object>> coo(DenseMatrix d) {
    List<scala.Tuple3<Object, Object, Object>> entries = new ArrayList<>();
    for (int j = 0; j < d.numCols(); j++) {
      for (int i = 0; i < d.numRows(); i++) {
        double x = d.apply(i, j);
        if (x != 0) {
          entries.add(new scala.Tuple3<>(i, j, x));
        }
      }
    }
    return scala.jdk.javaapi.CollectionConverters.asScala(entries);
  }

  private static final java.util.Map<String, org.sparkamm.codebook.Codebook> CODEBOOKS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The algorithm with this tag and seed. A codebook method gets a codebook for inner dimension
   * {@code inner}, trained once on other data of the Gaussian inputs' distribution
   * ({@link #gaussian}), never on the matrices it multiplies: min(4, inner) subspaces.
   */
  public static org.sparkamm.Amm amm(String tag, long seed, int inner) {
    org.sparkamm.Amm amm = org.sparkamm.Amm.create(tag).setSeed(seed);
    if (amm.algorithm().needsTraining()) {
      amm.setCodebook(CODEBOOKS.computeIfAbsent(amm.tag() + "/" + inner, k -> org.sparkamm.Amm.create(tag)
          .setConfig(new org.sparkamm.config.AmmConfig().edit("C", (long) Math.min(4, inner)))
          .train(gaussian(64, inner, 1234), gaussian(inner, 64, 1235), 50)));
    }
    return amm;
  }

  /** Triple-loop product, the reference every other product is checked against. */
  public static double[] naiveProduct(Matrix a, Matrix b) {
    int m = a.numRows();
    int n = a.numCols();
    int p = b.numCols();
    double[] c = new double[m * p];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < p; j++) {
        double s = 0;
        for (int t = 0; t < n; t++) {
          s += a.apply(i, t) * b.apply(t, j);
        }
        c[i + j * m] = s;
      }
    }
    return c;
  }

  /** The rows of a local matrix as an IndexedRowMatrix, in the given number of partitions. */
  public static IndexedRowMatrix indexedRows(Matrix x, int partitions) {
    List<IndexedRow> rows = new ArrayList<>();
    for (int i = 0; i < x.numRows(); i++) {
      double[] r = new double[x.numCols()];
      for (int j = 0; j < r.length; j++) {
        r[j] = x.apply(i, j);
      }
      rows.add(new IndexedRow(i, Vectors.dense(r)));
    }
    return new IndexedRowMatrix(SharedSpark.jsc().parallelize(rows, partitions).rdd(), x.numRows(), x.numCols());
  }

  public static double maxAbsDiff(double[] x, double[] y) {
    double d = 0;
    for (int i = 0; i < x.length; i++) {
      d = Math.max(d, Math.abs(x[i] - y[i]));
    }
    return d;
  }

  public static double maxAbs(double[] x) {
    double d = 0;
    for (double v : x) {
      d = Math.max(d, Math.abs(v));
    }
    return d;
  }
}
