package org.sparkamm.ml;

import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.sparkamm.Amm;

/**
 * The approximate covariance of one or more vector columns stacked side by side, z_i = [x_i; y_i; ...]
 * (dimension D = sum of the columns' sizes), through the Gram product {@link Amm#gram(IndexedRowMatrix, int)}
 * (the row-aligned product of Z with itself, one pass and one sketch), row i being the i-th row of
 * the DataFrame (its position, as the DataFrame overload numbers rows):
 *
 * <pre>
 *   centered:   S = sym(AMM(Zc^T, Zc)) / (n - 1),   Zc = Z - 1 mu^T   (rows z_i - mu)
 *   uncentered: S = sym(AMM(Z^T, Z)) / n                              (second moment, as LibAMM)
 *   sym(G) = (G + G^T) / 2
 * </pre>
 *
 * <p><b>Centering is explicit</b>: each row has the means subtracted before the product, rather than
 * computing X^T X - n mu mu^T afterwards. The two are equal in exact arithmetic, but the subtraction
 * form cancels catastrophically when the means dominate the spread (X^T X carries rounding errors of
 * at least 2^-53 n ||mu||^2, so an eigenvalue lambda of the covariance keeps a relative error of at least
 * 2^-53 ||mu||^2 / lambda, up to n times that with the summation's growth), and for a sketch it is worse:
 * the sketch's error scales with ||X||_F^2, which then includes the means' energy n ||mu||^2, and
 * subtracting the exact n mu mu^T does not remove that error. The price of explicit centering: sparse
 * rows become dense in the product's pass (D doubles per row).
 *
 * <p>With one column and {@code center = false} the rows go to the product as they are (sparse
 * stays sparse). Symmetrizing can only reduce the error: sym(G) is the symmetric matrix nearest to G
 * in Frobenius norm, so ||sym(G) - C||_F &lt;= ||G - C||_F for the symmetric exact C. Same Gram, one
 * sketch: CCA's Sxx, Syy and Sxy are blocks of one product, which is what LibAMM's three products with
 * the seed reset before each compute for a linear sketch, at a third of the passes.
 *
 * <p>The stacked rows are a lazy map over the caller's rows (which fit caches), so the product reads
 * that one cache: the DataFrame overload of the product would cache its own copy of the rows.
 *
 * <p>Guarantee: E||S - C||_F^2 = E||AMM - Zc^T Zc||_F^2 / (n-1)^2, the algorithm's
 * {@code expectedSquaredError} for the rows of Zc (or a bound, see each algorithm). Cost and shuffle:
 * those of the row-aligned product for a D x D result (for linear sketches one pass, no shuffle of
 * rows, partial sketches of l x D doubles per task; for {@code mm} a join of the rows with
 * themselves, 2 n D doubles shuffled), plus O(D^2) on the driver.
 */
final class ApproximateCovariance {
  private ApproximateCovariance() {}

  /**
   * The D x D column-major covariance of {@code rows} (whose columns are vector columns, in order)
   * with the moments of the same rows.
   */
  static double[] of(Dataset<Row> rows, ColumnMoments moments, boolean center, Amm amm, int sketchSize) {
    String[] names = rows.columns();
    int cols = names.length;
    double[][] means = new double[cols][];
    int[] dims = new int[cols];
    int d = 0;
    for (int c = 0; c < cols; c++) {
      means[c] = center ? moments.mean(c) : null;
      dims[c] = moments.dim(c);
      d += dims[c];
    }
    IndexedRowMatrix z = new IndexedRowMatrix(rows.javaRDD().zipWithIndex()
        .map(r -> new IndexedRow(r._2(), stack(r._1(), names, dims, means))).rdd(), moments.count(), d);
    double[] g = amm.gram(z, sketchSize).toArray();
    double scale = center ? 1.0 / (moments.count() - 1) : 1.0 / moments.count();
    for (int j = 0; j < d; j++) {
      for (int i = 0; i <= j; i++) {
        double s = 0.5 * (g[i + j * d] + g[j + i * d]) * scale;
        g[i + j * d] = s;
        g[j + i * d] = s;
      }
    }
    return g;
  }

  /** [x - mu_x; y - mu_y; ...] (a null mean: not centered); one uncentered column passes as it is. */
  private static org.apache.spark.mllib.linalg.Vector stack(Row r, String[] names, int[] dims, double[][] means) {
    if (names.length == 1 && means[0] == null) {
      return Vectors.fromML(VectorColumns.ml(r.get(0), names[0], dims[0]));
    }
    int total = 0;
    for (int d : dims) {
      total += d;
    }
    double[] z = new double[total];
    int offset = 0;
    for (int c = 0; c < names.length; c++) {
      Vector v = VectorColumns.ml(r.get(c), names[c], dims[c]);
      int base = offset;
      if (v instanceof DenseVector) {
        System.arraycopy(((DenseVector) v).values(), 0, z, base, dims[c]);
      } else {
        SparseVector sv = (SparseVector) v;
        for (int t = 0; t < sv.indices().length; t++) {
          z[base + sv.indices()[t]] = sv.values()[t];
        }
      }
      if (means[c] != null) {
        for (int j = 0; j < dims[c]; j++) {
          z[base + j] -= means[c][j];
        }
      }
      offset += dims[c];
    }
    return Vectors.dense(z);
  }
}
