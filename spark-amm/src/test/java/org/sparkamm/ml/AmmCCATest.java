package org.sparkamm.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkamm.ml.AmmPCATest.assertBits;
import static org.sparkamm.ml.AmmPCATest.assertSameOutputBits;
import static org.sparkamm.ml.AmmPCATest.fails;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.SharedSpark;
import org.sparkamm.local.Lapack;

/** AmmCCA against direct computations on data with planted canonical correlations. */
class AmmCCATest {
  private static final double[] RHO = {0.9, 0.6, 0.3};
  private static final int N = 5_000;
  private static final int P = 5;
  private static final int Q = 4;

  /**
   * With {@code mm} and r = 0 the model is the sample CCA. The reference takes another route: QR
   * of the centered data, Xc = Qx Rx and Yc = Qy Ry, then the SVD Qx^T Qy = U diag(rho) V^T and
   * Wx = sqrt(n - 1) Rx^-1 U, Wy = sqrt(n - 1) Ry^-1 V. Both are backward stable, so they agree to
   * rounding (1e-9 is generous for these well-conditioned A, B and gaps of 0.3 between the rho).
   * The sample correlations estimate the planted ones with standard deviation (1 - rho^2) / sqrt(n)
   * (Gaussian data, distinct rho); 5 deviations fail with probability 6e-7. The variates Wx^T x,
   * Wy^T y then have identity covariance and cross-covariance diag(rho).
   */
  @Test
  void exactProductGivesTheSampleCcaAndThePlantedCorrelations() {
    double[][][] xy = PlantedData.correlated(N, P, Q, RHO, 7);
    Dataset<Row> df = PlantedData.frame(4, new String[] {"x", "y"}, xy[0], xy[1]);
    int k = RHO.length;
    AmmCCAModel model = new AmmCCA().setK(k).setAlgo("mm").fit(df);

    double[][] xc = PlantedData.centered(xy[0]);
    double[][] yc = PlantedData.centered(xy[1]);
    Lapack.Qr qx = Lapack.qr(PlantedData.columnMajor(xc), N, P);
    Lapack.Qr qy = Lapack.qr(PlantedData.columnMajor(yc), N, Q);
    double[] cross = new double[P * Q];
    org.sparkamm.local.Blas.gemm(true, false, P, Q, N, 1.0, qx.q, N, qy.q, N, 0.0, cross, P);
    Lapack.Svd svd = Lapack.svd(cross, P, Q);
    double[] v = new double[Q * Q];
    for (int j = 0; j < Q; j++) {
      for (int i = 0; i < Q; i++) {
        v[i + j * Q] = svd.vt[j + i * svd.k];
      }
    }
    double[] wx = solveUpper(qx.r, P, svd.u, k, Math.sqrt(N - 1));
    double[] wy = solveUpper(qy.r, Q, v, k, Math.sqrt(N - 1));

    double[] rho = model.correlations().toArray();
    for (int j = 0; j < k; j++) {
      assertEquals(svd.s[j], rho[j], 1e-9, "correlation " + j);
      assertEquals(RHO[j], rho[j], 5 * (1 - RHO[j] * RHO[j]) / Math.sqrt(N), "planted correlation " + j);
      double sign = Math.signum(dot(wx, model.xDirections(), j, P));
      for (int i = 0; i < P; i++) {
        assertEquals(sign * wx[i + j * P], model.xDirections().apply(i, j), 1e-9, "Wx " + i + "," + j);
      }
      for (int i = 0; i < Q; i++) {
        assertEquals(sign * wy[i + j * Q], model.yDirections().apply(i, j), 1e-9, "Wy " + i + "," + j);
      }
    }

    List<Row> out = model.transform(df).select("xVariates", "yVariates").collectAsList();
    double[][] u = new double[N][];
    double[][] w = new double[N][];
    for (int i = 0; i < N; i++) {
      u[i] = ((Vector) out.get(i).get(0)).toArray();
      w[i] = ((Vector) out.get(i).get(1)).toArray();
    }
    double[] uu = PlantedData.gram(PlantedData.centered(u), PlantedData.centered(u), N - 1);
    double[] uw = PlantedData.gram(PlantedData.centered(u), PlantedData.centered(w), N - 1);
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        assertEquals(a == b ? 1.0 : 0.0, uu[a + b * k], 1e-9, "cov(u)");
        assertEquals(a == b ? rho[a] : 0.0, uw[a + b * k], 1e-9, "cov(u, v)");
      }
    }
  }

  /**
   * Ridge CCA by LibAMM's route: S^-1/2 from the eigendecomposition (an SVD of the symmetric
   * positive definite Sxx + rI), M = (Sxx + rI)^-1/2 Sxy (Syy + rI)^-1/2, rho = sigma(M); the model
   * whitens by Cholesky instead. The directions satisfy Wx^T (Sxx + rI) Wx = I and Wx^T Sxy Wy = diag(rho).
   */
  @Test
  void regularizedCorrelationsMatchTheInverseSquareRootRoute() {
    double r = 0.5;
    int k = 3;
    double[][][] xy = PlantedData.correlated(2_000, P, Q, RHO, 8);
    AmmCCAModel model = new AmmCCA().setK(k).setAlgo("mm").setRegularization(r)
        .fit(PlantedData.frame(3, new String[] {"x", "y"}, xy[0], xy[1]));
    double[][] xc = PlantedData.centered(xy[0]);
    double[][] yc = PlantedData.centered(xy[1]);
    double[] sxx = ridge(PlantedData.gram(xc, xc, 1_999), P, r);
    double[] syy = ridge(PlantedData.gram(yc, yc, 1_999), Q, r);
    double[] sxy = PlantedData.gram(xc, yc, 1_999);
    double[] m = org.sparkamm.local.Blas.multiply(org.sparkamm.local.Blas.multiply(inverseSqrt(sxx, P), P, P, sxy, Q),
        P, Q, inverseSqrt(syy, Q), Q);
    double[] expected = java.util.Arrays.copyOf(Lapack.svd(m, P, Q).s, k);
    assertArrayEquals(expected, model.correlations().toArray(), 1e-10);

    double[] wx = model.xDirections().values();
    double[] wy = model.yDirections().values();
    double[] whitened = org.sparkamm.local.Blas.multiply(transpose(wx, P, k), k, P,
        org.sparkamm.local.Blas.multiply(sxx, P, P, wx, k), k);
    double[] coupled = org.sparkamm.local.Blas.multiply(transpose(wx, P, k), k, P,
        org.sparkamm.local.Blas.multiply(sxy, P, Q, wy, k), k);
    for (int a = 0; a < k; a++) {
      for (int b = 0; b < k; b++) {
        assertEquals(a == b ? 1.0 : 0.0, whitened[a + b * k], 1e-10, "Wx^T (Sxx + rI) Wx");
        assertEquals(a == b ? expected[a] : 0.0, coupled[a + b * k], 1e-10, "Wx^T Sxy Wy");
      }
    }
  }

  /** A sketched fit: reproducible for a seed, correlations in [0, 1] and descending, nothing left cached. */
  @Test
  void sketchedFitIsReproducibleAndReleasesWhatItCaches() {
    double[][][] xy = PlantedData.correlated(N, P, Q, RHO, 9);
    Dataset<Row> df = PlantedData.frame(4, new String[] {"x", "y"}, xy[0], xy[1]);
    java.util.Set<Integer> before = SharedSpark.cachedRddIds();
    AmmCCA cca = new AmmCCA().setK(3).setAlgo("countSketch").setSketchSize(1_000).setSeed(4);
    double[] first = cca.fit(df).correlations().toArray();
    double[] second = cca.fit(df).correlations().toArray();
    SharedSpark.assertNothingNewCached(before, "fit left cached RDDs");
    assertArrayEquals(first, second, 1e-12);
    for (int j = 0; j < first.length; j++) {
      assertTrue(first[j] >= 0 && first[j] <= 1 && (j == 0 || first[j] <= first[j - 1]), java.util.Arrays.toString(first));
    }
  }

  @Test
  void badParametersAndInputsFailWithOneLine() {
    double[][][] xy = PlantedData.correlated(200, P, Q, RHO, 10);
    Dataset<Row> df = PlantedData.frame(2, new String[] {"x", "y"}, xy[0], xy[1]);
    java.util.Set<Integer> before = SharedSpark.cachedRddIds();
    fails(() -> new AmmCCA().setRegularization(-1), "regularization must be a finite number >= 0, got -1.0");
    fails(() -> new AmmCCA().setRegularization(Double.NaN), "regularization must be a finite number >= 0");
    fails(() -> new AmmCCA().setK(0), "k must be at least 1, got 0");
    fails(() -> new AmmCCA().setAlgo("cca"), "unknown algorithm 'cca'");
    fails(() -> new AmmCCA().fit(df), "k is not set");
    fails(() -> new AmmCCA().setK(5).fit(df),
        "k = 5 exceeds min(p, q) = 4: column 'x' has dimension 5, column 'y' has dimension 4");
    fails(() -> new AmmCCA().setK(1).setYCol("z").fit(df), "no column 'z' in the DataFrame; its columns: x, y");
    fails(() -> new AmmCCA().setK(1).setXOutputCol("v").setYOutputCol("v").fit(df),
        "xOutputCol and yOutputCol are both 'v'");
    fails(() -> new AmmCCA().setK(1).setXOutputCol("y").fit(df), "output column 'y' already exists");

    StructType schema = new StructType().add("x", SQLDataTypes.VectorType()).add("y", SQLDataTypes.VectorType());
    Row[] collinear = new Row[50];
    for (int i = 0; i < collinear.length; i++) {
      double a = Math.sin(i);
      collinear[i] = RowFactory.create(Vectors.dense(a, 2 * a, Math.cos(3 * i)), Vectors.dense(Math.cos(i), i % 7));
    }
    Dataset<Row> singular = AmmPCATest.frame(schema, collinear);
    fails(() -> new AmmCCA().setK(1).setAlgo("mm").fit(singular), "the covariance of column 'x' plus regularization 0.0 "
        + "(3x3) is not positive definite to working precision (pivot 2): its entries are collinear or the approximation lost "
        + "rank; set regularization > 0 or a larger sketchSize");
    assertEquals(1, new AmmCCA().setK(1).setAlgo("mm").setRegularization(0.1).fit(singular).correlations().size());
    fails(() -> new AmmCCA().setK(1).fit(AmmPCATest.frame(schema, RowFactory.create(Vectors.dense(1, 2, 3), null),
        RowFactory.create(Vectors.dense(1, 2, 3), Vectors.dense(1, 2)))), "column 'y' holds a null instead of a vector");
    SharedSpark.assertNothingNewCached(before, "failed fits left cached RDDs");
  }

  @Test
  void saveLoadTransformsBitForBit(@TempDir Path dir) throws IOException {
    double[][][] xy = PlantedData.correlated(400, P, Q, RHO, 11);
    Dataset<Row> df = PlantedData.frame(2, new String[] {"x", "y"}, xy[0], xy[1]);
    AmmCCA estimator = new AmmCCA().setK(2).setAlgo("gaussian").setSketchSize(100).setSeed(6).setRegularization(0.01)
        .setXOutputCol("u").setYOutputCol("v");
    AmmCCAModel model = estimator.fit(df);
    String path = dir.resolve("cca").toString();
    model.save(path);
    AmmCCAModel loaded = AmmCCAModel.load(path);
    assertEquals(model.uid(), loaded.uid());
    assertEquals(model.extractParamMap().toString(), loaded.extractParamMap().toString());
    assertEquals(0.01, loaded.getRegularization());
    assertBits(model.correlations().values(), loaded.correlations().values());
    assertBits(model.xDirections().values(), ((DenseMatrix) loaded.xDirections()).values());
    assertBits(model.yDirections().values(), ((DenseMatrix) loaded.yDirections()).values());
    assertSameOutputBits(model.transform(df), loaded.transform(df), "u", "v");

    String estimatorPath = dir.resolve("estimator").toString();
    estimator.save(estimatorPath);
    assertEquals(estimator.extractParamMap().toString(), AmmCCA.load(estimatorPath).extractParamMap().toString());
  }

  /** scale * R^-1 B for the upper triangular n x n R (column-major) and the first k columns of B (n x k). */
  private static double[] solveUpper(double[] r, int n, double[] b, int k, double scale) {
    double[] x = new double[n * k];
    for (int j = 0; j < k; j++) {
      for (int i = n - 1; i >= 0; i--) {
        double s = b[i + j * n];
        for (int c = i + 1; c < n; c++) {
          s -= r[i + c * n] * x[c + j * n];
        }
        x[i + j * n] = s / r[i + i * n];
      }
      for (int i = 0; i < n; i++) {
        x[i + j * n] *= scale;
      }
    }
    return x;
  }

  private static double dot(double[] a, DenseMatrix b, int j, int rows) {
    double s = 0;
    for (int i = 0; i < rows; i++) {
      s += a[i + j * rows] * b.apply(i, j);
    }
    return s;
  }

  private static double[] ridge(double[] s, int n, double r) {
    for (int i = 0; i < n; i++) {
      s[i + i * n] += r;
    }
    return s;
  }

  /** U diag(s^-1/2) U^T of a symmetric positive definite matrix, from its SVD (= eigendecomposition). */
  private static double[] inverseSqrt(double[] s, int n) {
    Lapack.Svd svd = Lapack.svd(s, n, n);
    double[] scaled = svd.u.clone();
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < n; i++) {
        scaled[i + j * n] /= Math.sqrt(svd.s[j]);
      }
    }
    return org.sparkamm.local.Blas.multiplyTransposeB(scaled, n, n, svd.u, n);
  }

  private static double[] transpose(double[] a, int rows, int cols) {
    double[] t = new double[a.length];
    for (int j = 0; j < cols; j++) {
      for (int i = 0; i < rows; i++) {
        t[j + i * cols] = a[i + j * rows];
      }
    }
    return t;
  }
}
