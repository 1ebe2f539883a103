package org.sparkamm.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkamm.Amm;
import org.sparkamm.SharedSpark;
import org.sparkamm.algo.InnerNorms;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.Lapack;

/** AmmPCA against MLlib's exact PCA, the Davis-Kahan bound for sketches, its parameters and persistence. */
class AmmPCATest {
  /** Distinct eigenvalues with gaps of at least 0.25, so that each eigenvector is well defined. */
  private static final double[] SPECTRUM = {30, 15, 8, 4, 2, 1, 0.5, 0.25};

  /**
   * With {@code mm}, AmmPCA is MLlib's PCA: both take the top eigenvectors of the same sample
   * covariance, which each computes with relative rounding error about n 2^-53 = 7e-14 (n = 600);
   * an eigenvector moves by at most ||dC|| / gap = 30 * 7e-14 / 4 ~ 5e-13, far below 1e-9.
   */
  @Test
  void exactProductGivesMllibsPca() {
    double[][] rows = PlantedData.lowRank(600, SPECTRUM, 0.5, 11);
    Dataset<Row> df = PlantedData.frame(3, new String[] {"features"}, rows);
    AmmPCAModel ours = new AmmPCA().setK(3).setAlgo("mm").setOutputCol("ours").fit(df);
    PCAModel mllib = new PCA().setInputCol("features").setOutputCol("mllib").setK(3).fit(df);

    double[] signs = assertSameColumnsUpToSign(mllib.pc(), ours.pc(), 1e-9);
    assertArrayEquals(mllib.explainedVariance().toArray(), ours.explainedVariance().toArray(), 1e-12);
    double[] variances = ours.variances().toArray();
    double total = Arrays.stream(SPECTRUM).sum(); // the explained share is lambda_i / trace
    for (int j = 0; j < 3; j++) {
      assertEquals(ours.explainedVariance().apply(j) * traceOfCovariance(rows), variances[j], 1e-9 * variances[j]);
      assertTrue(Math.abs(variances[j] - SPECTRUM[j]) < 0.3 * SPECTRUM[j], "planted variance " + SPECTRUM[j]
          + " vs " + variances[j] + " (trace " + total + ")");
    }
    for (Row r : ours.transform(mllib.transform(df)).select("mllib", "ours").collectAsList()) {
      double[] expected = ((Vector) r.get(0)).toArray();
      double[] actual = ((Vector) r.get(1)).toArray();
      for (int j = 0; j < 3; j++) {
        assertEquals(signs[j] * expected[j], actual[j], 1e-9 * (1 + Math.abs(expected[j])));
      }
    }

    // The older mllib vectors, sparse, give the same components (the same sums, zeros skipped).
    StructType mllibSchema = new StructType().add("features", new org.apache.spark.mllib.linalg.VectorUDT());
    List<Row> sparse = df.javaRDD().map(r -> RowFactory.create(
        org.apache.spark.mllib.linalg.Vectors.fromML((Vector) r.get(0)).toSparse())).collect();
    AmmPCAModel fromMllib = new AmmPCA().setK(3).setAlgo("mm").fit(
        SharedSpark.session().createDataFrame(SharedSpark.jsc().parallelize(sparse, 2), mllibSchema));
    assertSameColumnsUpToSign(ours.pc(), fromMllib.pc(), 1e-12);
  }

  /**
   * A sketched covariance S = C + E moves the principal subspace by at most (Davis-Kahan, Yu-Wang-
   * Samworth) ||sin Theta||_F &lt;= 2 ||E||_F / gap, gap = lambda_k(C) - lambda_{k+1}(C); as
   * ||P~ - P||_F^2 = 2 ||sin Theta||_F^2, ||P~ - P||_F^2 &lt;= 8 ||E||_F^2 / gap^2, whose expectation is
   * B = 8 E||E||_F^2 / gap^2 with E||E||_F^2 = expectedSquaredError(centered rows) / (n - 1)^2. By
   * Markov, P(||P~ - P||_F^2 &gt; T B) &lt;= 1 / T; T = 20. The check is not empty: T B &lt;= 1, while a
   * wrong component (one of the noise directions, or components of the uncentered moment) costs
   * about 2. Observed ||P~ - P||_F^2 / B: 0.005 (countSketch), 0.003 (crs), 0.006 (weighted-cr), as a
   * NumPy simulation of the same setting predicts: Davis-Kahan is loose, not the implementation.
   */
  @ParameterizedTest
  @ValueSource(strings = {"countSketch", "crs", "weighted-cr"})
  void sketchedSubspaceStaysWithinDavisKahan(String algo) {
    int n = 20_000;
    int l = 2_000;
    int k = 2;
    long seed = 5;
    double[] lambda = {150, 100, 1, 1, 1, 1, 1, 1, 1, 1};
    Planted planted = Planted.get(n, lambda);
    double[][] xc = PlantedData.centered(planted.rows);
    double[] c = PlantedData.gram(xc, xc, n - 1);
    int d = lambda.length;
    double[] eig = Lapack.svd(c, d, d).s; // C is positive semi-definite: singular values = eigenvalues
    double gap = eig[k - 1] - eig[k];
    double[] norms2 = new double[n];
    for (int i = 0; i < n; i++) {
      for (double v : xc[i]) {
        norms2[i] += v * v;
      }
    }
    double productNorm2 = 0;
    for (double v : c) {
      productNorm2 += v * (n - 1) * v * (n - 1);
    }
    double expected = Amm.create(algo).algorithm().expectedSquaredError(InnerNorms.of(norms2, norms2), productNorm2, l,
        seed) / ((double) (n - 1) * (n - 1));
    double bound = 20 * 8 * expected / (gap * gap);
    assertTrue(bound <= 1, algo + ": the bound " + bound + " would not reject a wrong component");

    PCAModel exact = new PCA().setInputCol("features").setK(k).fit(planted.frame);
    AmmPCAModel sketched = new AmmPCA().setK(k).setAlgo(algo).setSketchSize(l).setSeed(seed).fit(planted.frame);
    double distance2 = projectionDistance2(exact.pc(), sketched.pc());
    assertTrue(distance2 <= bound, algo + ": ||P~ - P||_F^2 = " + distance2 + " exceeds T B = " + bound);
    assertTrue(distance2 > 0, algo + " is an approximation, not exact");
  }

  /**
   * center = false: the components are the eigenvectors of X^T X / n, i.e. X's right singular
   * vectors (a different route: SVD of the rows), and the explained shares are s_i^2 / sum s^2.
   */
  @Test
  void uncenteredComponentsAreTheRightSingularVectors() {
    double[][] rows = PlantedData.lowRank(300, SPECTRUM, 1.0, 12);
    AmmPCAModel model = new AmmPCA().setK(3).setAlgo("mm").setCenter(false)
        .fit(PlantedData.frame(2, new String[] {"features"}, rows));
    int n = rows.length;
    int d = SPECTRUM.length;
    Lapack.Svd svd = Lapack.svd(PlantedData.columnMajor(rows), n, d);
    double[] v = new double[d * 3];
    double sum2 = 0;
    for (double s : svd.s) {
      sum2 += s * s;
    }
    for (int j = 0; j < 3; j++) {
      for (int i = 0; i < d; i++) {
        v[i + j * d] = svd.vt[j + i * svd.k];
      }
      assertEquals(svd.s[j] * svd.s[j] / sum2, model.explainedVariance().apply(j), 1e-12);
      assertEquals(svd.s[j] * svd.s[j] / n, model.variances().apply(j), 1e-9 * model.variances().apply(j));
    }
    assertSameColumnsUpToSign(new DenseMatrix(d, 3, v), model.pc(), 1e-9);
  }

  /**
   * A row's randomness is a function of (seed, its position): the same seed gives the same model
   * on a rerun and for 1 or 4 partitions, up to the order of summation (Spark merges partial sums
   * in the order its tasks finish), and another seed another model.
   */
  @Test
  void sameSeedSameModelForAnyPartitioning() {
    double[][] rows = PlantedData.lowRank(2_000, SPECTRUM, 1.0, 13);
    AmmPCA pca = new AmmPCA().setK(3).setAlgo("countSketch").setSketchSize(200).setSeed(3);
    DenseMatrix four = pca.fit(PlantedData.frame(4, new String[] {"features"}, rows)).pc();
    DenseMatrix again = pca.fit(PlantedData.frame(4, new String[] {"features"}, rows)).pc();
    DenseMatrix one = pca.fit(PlantedData.frame(1, new String[] {"features"}, rows)).pc();
    DenseMatrix other = pca.setSeed(4).fit(PlantedData.frame(4, new String[] {"features"}, rows)).pc();
    assertArrayEquals(four.values(), again.values(), 1e-12);
    assertArrayEquals(four.values(), one.values(), 1e-10);
    assertNotEquals(Arrays.toString(four.values()), Arrays.toString(other.values()));
    // useCuda: the same model through the test-only CountingBackend (a GPU stand-in), which is called.
    long calls = org.sparkamm.local.CountingBackend.total();
    DenseMatrix routed = pca.setSeed(3).setUseCuda(true).fit(PlantedData.frame(4, new String[] {"features"}, rows)).pc();
    assertTrue(org.sparkamm.local.CountingBackend.total() > calls, "useCuda did not reach the backend");
    assertArrayEquals(four.values(), routed.values(), 1e-10);
  }

  @Test
  void badParametersAndInputsFailWithOneLine() {
    StructType schema = new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.DoubleType);
    Dataset<Row> df = frame(schema, RowFactory.create(Vectors.dense(1, 2, 3), 1.0),
        RowFactory.create(Vectors.dense(2, 0, 1), 0.0), RowFactory.create(Vectors.dense(0, 5, 1), 1.0));

    fails(() -> new AmmPCA().setK(0), "k must be at least 1, got 0");
    fails(() -> new AmmPCA().setSketchSize(0), "sketchSize must be at least 1, got 0");
    fails(() -> new AmmPCA().setAlgo("pcaPlease"), "unknown algorithm 'pcaPlease'; valid tags: mm, crs");
    fails(() -> new AmmPCA().setInputCol(""), "inputCol must name a column");
    fails(() -> new AmmPCA().fit(df), "k is not set");
    fails(() -> new AmmPCA().setK(4).fit(df), "k = 4 exceeds the dimension 3 of column 'features'");
    fails(() -> new AmmPCA().setK(1).setInputCol("pixels").fit(df),
        "no column 'pixels' in the DataFrame; its columns: features, label");
    fails(() -> new AmmPCA().setK(1).setInputCol("label").fit(df),
        "column 'label' must hold vectors, but its type is double");
    fails(() -> new AmmPCA().setK(1).setOutputCol("label").fit(df), "output column 'label' already exists");
    fails(() -> new AmmPCA().setK(1).fit(df.limit(1)), "AmmPCA needs at least 2 rows, got 1");

    StructType vectors = new StructType().add("features", SQLDataTypes.VectorType());
    fails(() -> new AmmPCA().setK(1).fit(frame(vectors, RowFactory.create(Vectors.dense(1, 2, 3)),
        RowFactory.create(Vectors.dense(1, 2)))), "column 'features' holds vectors of different sizes");
    fails(() -> new AmmPCA().setK(1).fit(frame(vectors, RowFactory.create(Vectors.dense(1, Double.NaN)),
        RowFactory.create(Vectors.dense(1, 2)))), "column 'features' contains NaN or infinite values");
    fails(() -> new AmmPCA().setK(1).fit(frame(vectors, RowFactory.create(Vectors.dense(1, 2)),
        RowFactory.create((Object) null))), "column 'features' holds a null instead of a vector");
    fails(() -> new AmmPCA().setK(1).setAlgo("mm").fit(frame(vectors, RowFactory.create(Vectors.dense(1, 2)),
        RowFactory.create(Vectors.dense(1, 2)))), "column 'features' has no variance");

    AmmPCAModel model = new AmmPCA().setK(2).setAlgo("mm").fit(df);
    fails(() -> model.transform(df.drop("features")), "no column 'features'");
    Dataset<Row> narrow = frame(vectors, RowFactory.create(Vectors.dense(1, 2)));
    Exception e = assertThrows(Exception.class, () -> model.transform(narrow).collect());
    assertTrue(causes(e).contains("column 'features' holds a vector of 2 entries; the model expects 3"), causes(e));
  }

  @Test
  void saveLoadTransformsBitForBit(@TempDir Path dir) throws IOException {
    double[][] rows = PlantedData.lowRank(500, SPECTRUM, 1.0, 14);
    Dataset<Row> df = PlantedData.frame(2, new String[] {"features"}, rows);
    AmmPCA estimator = new AmmPCA().setK(3).setAlgo("countSketch").setSketchSize(64).setSeed(9).setOutputCol("p");
    AmmPCAModel model = estimator.fit(df);
    String path = dir.resolve("model").toString();
    model.save(path);
    AmmPCAModel loaded = AmmPCAModel.load(path);
    assertEquals(model.uid(), loaded.uid());
    assertEquals(model.extractParamMap().toString(), loaded.extractParamMap().toString());
    assertEquals("countSketch", loaded.getAlgo());
    assertEquals(64, loaded.getSketchSize());
    assertEquals(9L, loaded.getSeed());
    assertBits(model.pc().values(), ((DenseMatrix) loaded.pc()).values());
    assertBits(model.explainedVariance().values(), loaded.explainedVariance().values());
    assertBits(model.variances().values(), loaded.variances().values());
    assertSameOutputBits(model.transform(df), loaded.transform(df), "p");

    assertThrows(IOException.class, () -> model.save(path), "an existing path is kept unless overwrite()");
    model.write().overwrite().save(path);
    assertBits(model.pc().values(), AmmPCAModel.load(path).pc().values());

    Exception wrongClass = assertThrows(IllegalArgumentException.class, () -> AmmCCAModel.load(path));
    assertTrue(wrongClass.getMessage().contains("org.sparkamm.ml.AmmPCAModel"), wrongClass.getMessage());

    String estimatorPath = dir.resolve("estimator").toString();
    estimator.save(estimatorPath);
    AmmPCA estimatorLoaded = AmmPCA.load(estimatorPath);
    assertEquals(estimator.uid(), estimatorLoaded.uid());
    assertEquals(estimator.extractParamMap().toString(), estimatorLoaded.extractParamMap().toString());

    PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {estimator}).fit(df);
    String pipelinePath = dir.resolve("pipeline").toString();
    pipeline.save(pipelinePath);
    assertSameOutputBits(pipeline.transform(df), PipelineModel.load(pipelinePath).transform(df), "p");
  }

  /** Fit caches its uncached input for its passes and releases it, also when it fails. */
  @Test
  void fitReleasesWhatItCaches() {
    Dataset<Row> df = PlantedData.frame(3, new String[] {"features"}, PlantedData.lowRank(400, SPECTRUM, 1.0, 15));
    java.util.Set<Integer> before = SharedSpark.cachedRddIds();
    for (String algo : new String[] {"mm", "countSketch", "weighted-cr", "cooFD"}) {
      new AmmPCA().setK(2).setAlgo(algo).setSketchSize(8).fit(df);
      SharedSpark.assertNothingNewCached(before, algo + " left cached RDDs");
    }
    fails(() -> new AmmPCA().setK(2).setAlgo("countSketch").setSketchSize(Integer.MAX_VALUE).fit(df), "too large");
    SharedSpark.assertNothingNewCached(before, "a failed fit left cached RDDs");
    assertTrue(SharedSpark.session().sharedState().cacheManager().isEmpty(), "a cached Dataset was left behind");

    df.cache();
    try {
      new AmmPCA().setK(2).fit(df);
      assertTrue(df.storageLevel().useMemory(), "the caller's cache is the caller's");
    } finally {
      df.unpersist(true);
    }
  }

  /** Compares columns up to sign; returns the signs that map {@code expected} onto {@code actual}. */
  static double[] assertSameColumnsUpToSign(Matrix expected, Matrix actual, double tolerance) {
    assertEquals(expected.numRows(), actual.numRows());
    assertEquals(expected.numCols(), actual.numCols());
    double[] signs = new double[expected.numCols()];
    for (int j = 0; j < expected.numCols(); j++) {
      double dot = 0;
      for (int i = 0; i < expected.numRows(); i++) {
        dot += expected.apply(i, j) * actual.apply(i, j);
      }
      signs[j] = Math.signum(dot);
      for (int i = 0; i < expected.numRows(); i++) {
        assertEquals(signs[j] * expected.apply(i, j), actual.apply(i, j), tolerance, "column " + j + ", row " + i);
      }
    }
    return signs;
  }

  /** ||V V^T - W W^T||_F^2 for orthonormal columns V, W (d x k): 2k - 2 ||V^T W||_F^2. */
  private static double projectionDistance2(Matrix v, Matrix w) {
    double cross = 0;
    for (int a = 0; a < v.numCols(); a++) {
      for (int b = 0; b < w.numCols(); b++) {
        double dot = 0;
        for (int i = 0; i < v.numRows(); i++) {
          dot += v.apply(i, a) * w.apply(i, b);
        }
        cross += dot * dot;
      }
    }
    return Math.max(0, 2 * v.numCols() - 2 * cross);
  }

  private static double traceOfCovariance(double[][] rows) {
    double[][] xc = PlantedData.centered(rows);
    double t = 0;
    for (double[] r : xc) {
      for (double v : r) {
        t += v * v;
      }
    }
    return t / (rows.length - 1);
  }

  static Dataset<Row> frame(StructType schema, Row... rows) {
    return SharedSpark.session().createDataFrame(SharedSpark.jsc().parallelize(Arrays.asList(rows), 2), schema);
  }

  static void fails(Executable call, String fragment) {
    AmmArgumentException e = assertThrows(AmmArgumentException.class, call);
    assertTrue(e.getMessage().contains(fragment), "message: " + e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  static String causes(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      s.append(c.getMessage()).append(" | ");
    }
    return s.toString();
  }

  static void assertBits(double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]), "entry " + i);
    }
  }

  static void assertSameOutputBits(Dataset<Row> expected, Dataset<Row> actual, String... columns) {
    List<Row> a = expected.select(columns[0], Arrays.copyOfRange(columns, 1, columns.length)).collectAsList();
    List<Row> b = actual.select(columns[0], Arrays.copyOfRange(columns, 1, columns.length)).collectAsList();
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      for (int c = 0; c < columns.length; c++) {
        assertBits(((Vector) a.get(i).get(c)).toArray(), ((Vector) b.get(i).get(c)).toArray());
      }
    }
  }

  /** The large planted data set, built once for the parameterized test. */
  private static final class Planted {
    private static Planted instance;
    final double[][] rows;
    final Dataset<Row> frame;

    private Planted(double[][] rows) {
      this.rows = rows;
      this.frame = PlantedData.frame(4, new String[] {"features"}, rows);
    }

    static synchronized Planted get(int n, double[] lambda) {
      if (instance == null) {
        instance = new Planted(PlantedData.lowRank(n, lambda, 3.0, 5));
      }
      return instance;
    }
  }
}
