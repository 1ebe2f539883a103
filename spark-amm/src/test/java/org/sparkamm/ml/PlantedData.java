package org.sparkamm.ml;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.sparkamm.SharedSpark;
import org.sparkamm.local.Lapack;
import org.sparkamm.random.CounterRng;

/** Data with a planted structure (a known spectrum, known canonical correlations) and plain references. */
final class PlantedData {
  private PlantedData() {}

  /**
   * n rows x_i = mu + W diag(sqrt(lambda)) g_i: g_i standard Gaussian, W a random orthogonal d x d
   * matrix, mu_j = meanScale * (j + 1). The population covariance is W diag(lambda) W^T.
   */
  static double[][] lowRank(int n, double[] lambda, double meanScale, long seed) {
    int d = lambda.length;
    double[] w = orthogonal(d, seed);
    long key = CounterRng.streamKey(seed, 1);
    double[][] rows = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        rows[i][j] = meanScale * (j + 1);
      }
      for (int c = 0; c < d; c++) {
        double g = Math.sqrt(lambda[c]) * CounterRng.gaussian(key, (long) i * d + c);
        for (int j = 0; j < d; j++) {
          rows[i][j] += w[j + c * d] * g;
        }
      }
    }
    return rows;
  }

  /**
   * Pairs (x_i, y_i), x in R^p, y in R^q, with canonical correlations rho (length &lt;= min(p, q)):
   * latent u ~ N(0, I_p), v_j = rho_j u_j + sqrt(1 - rho_j^2) e_j (e ~ N(0, I_q)), x = A u + 1,
   * y = B v - 2 with A, B Gaussian (invertible with probability 1). {x, y} as two row arrays.
   */
  static double[][][] correlated(int n, int p, int q, double[] rho, long seed) {
    double[] a = gaussian(p * p, seed, 2);
    double[] b = gaussian(q * q, seed, 3);
    long key = CounterRng.streamKey(seed, 4);
    double[][] x = new double[n][p];
    double[][] y = new double[n][q];
    for (int i = 0; i < n; i++) {
      double[] u = new double[p];
      double[] v = new double[q];
      for (int j = 0; j < p; j++) {
        u[j] = CounterRng.gaussian(key, (long) i * (p + q) + j);
      }
      for (int j = 0; j < q; j++) {
        double e = CounterRng.gaussian(key, (long) i * (p + q) + p + j);
        v[j] = j < rho.length ? rho[j] * u[j] + Math.sqrt(1 - rho[j] * rho[j]) * e : e;
      }
      x[i] = affine(a, u, p, 1.0);
      y[i] = affine(b, v, q, -2.0);
    }
    return new double[][][] {x, y};
  }

  /** A DataFrame of Spark ML dense vectors, one column per array (same number of rows), in order. */
  static Dataset<Row> frame(int partitions, String[] names, double[][]... columns) {
    StructType schema = new StructType();
    for (String name : names) {
      schema = schema.add(name, SQLDataTypes.VectorType());
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < columns[0].length; i++) {
      Object[] cells = new Object[columns.length];
      for (int c = 0; c < columns.length; c++) {
        cells[c] = Vectors.dense(columns[c][i]);
      }
      rows.add(RowFactory.create(cells));
    }
    return SharedSpark.session().createDataFrame(SharedSpark.jsc().parallelize(rows, partitions), schema);
  }

  /** The rows minus their column means. */
  static double[][] centered(double[][] rows) {
    int d = rows[0].length;
    double[] mu = new double[d];
    for (double[] r : rows) {
      for (int j = 0; j < d; j++) {
        mu[j] += r[j] / rows.length;
      }
    }
    double[][] c = new double[rows.length][d];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < d; j++) {
        c[i][j] = rows[i][j] - mu[j];
      }
    }
    return c;
  }

  /** sum_i a_i b_i^T / divisor, column-major |a| x |b|: the obviously correct Gram product. */
  static double[] gram(double[][] a, double[][] b, double divisor) {
    int p = a[0].length;
    int q = b[0].length;
    double[] g = new double[p * q];
    for (int i = 0; i < a.length; i++) {
      for (int col = 0; col < q; col++) {
        for (int row = 0; row < p; row++) {
          g[row + col * p] += a[i][row] * b[i][col] / divisor;
        }
      }
    }
    return g;
  }

  /** The n x d column-major matrix of the rows. */
  static double[] columnMajor(double[][] rows) {
    int n = rows.length;
    int d = rows[0].length;
    double[] m = new double[n * d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        m[i + j * n] = rows[i][j];
      }
    }
    return m;
  }

  private static double[] orthogonal(int d, long seed) {
    return Lapack.qr(gaussian(d * d, seed, 0), d, d).q;
  }

  private static double[] gaussian(int size, long seed, int stream) {
    long key = CounterRng.streamKey(seed, stream);
    double[] g = new double[size];
    for (int i = 0; i < size; i++) {
      g[i] = CounterRng.gaussian(key, i);
    }
    return g;
  }

  private static double[] affine(double[] m, double[] v, int d, double shift) {
    double[] out = new double[d];
    for (int j = 0; j < d; j++) {
      for (int c = 0; c < d; c++) {
        out[j] += m[j + c * d] * v[c];
      }
      out[j] += shift;
    }
    return out;
  }
}
