package org.sparkamm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.Amm;
import org.sparkamm.SharedSpark;
import org.sparkamm.loader.PlantedSpectrum;
import org.sparkamm.local.Blas;
import org.sparkamm.local.Lapack;

/**
 * {@code spark-amm experiment pca} and {@code cca}: tiny runs on planted data write the CSV, the
 * Markdown and the PNG with the rows expected and the numbers an independent computation gives (the
 * covariance and the canonical correlations computed here from the generator's rows, in plain loops
 * and by QR); the exact method recovers the exact subspace and correlations; a sketch's subspace
 * error falls with the sketch size; a method that cannot fit is recorded and the rest goes on; a
 * missing MNIST and bad options are one-line errors (exit 2) that write nothing.
 */
class DownstreamExperimentTest {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final int N = 2000;
  private static final int D = 40;

  @TempDir
  Path dir;

  private static List<Map<String, String>> rows(Path csv, String header) throws IOException {
    List<String> lines = Files.readAllLines(csv).stream().filter(l -> !l.startsWith("#")).collect(Collectors.toList());
    assertEquals(header, lines.get(0));
    String[] names = header.split(",");
    List<Map<String, String>> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", names.length); // only the last column, the message, can hold a comma
      Map<String, String> row = new HashMap<>();
      for (int i = 0; i < names.length; i++) {
        row.put(names[i], f[i]);
      }
      out.add(row);
    }
    return out;
  }

  private static double num(Map<String, String> row, String column) {
    return Double.parseDouble(row.get(column));
  }

  private static double median(List<Map<String, String>> rows, String algo, int sketch, int k, String column) {
    return Fits.median(rows.stream().filter(r -> r.get("algo").equals(algo) && num(r, "sketch") == sketch
        && num(r, "k") == k).mapToDouble(r -> num(r, column)).toArray());
  }

  /** The planted rows as the experiment generates them (seed = the default), centered: n x d column-major. */
  private static double[] centeredRows() {
    PlantedSpectrum gen = PlantedSpectrum.standard(Amm.DEFAULT_SEED, D);
    double[] x = new double[N * D];
    for (int i = 0; i < N; i++) {
      double[] r = gen.row(i);
      for (int j = 0; j < D; j++) {
        x[i + j * N] = r[j];
      }
    }
    for (int j = 0; j < D; j++) {
      double mean = 0;
      for (int i = 0; i < N; i++) {
        mean += x[i + j * N];
      }
      mean /= N;
      for (int i = 0; i < N; i++) {
        x[i + j * N] -= mean;
      }
    }
    return x;
  }

  private static void assertPng(Path png) throws IOException {
    byte[] bytes = Files.readAllBytes(png);
    assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8));
    assertTrue(bytes.length > 10_000, "a plot with lines, a grid and text, got " + bytes.length + " bytes");
  }

  @Test
  void aTinyPcaOnPlantedDataRecoversTheSubspaceAndASketchImprovesWithItsSize() throws IOException {
    Set<Integer> cached = SharedSpark.cachedRddIds();
    MainTest.Outcome o = MainTest.run("experiment", "pca", "--data", "planted", "--size", N + "," + D, "--sketch",
        "25,400", "--algo", "mm,countSketch,pq", "--trials", "3", "--out", dir.toString());
    assertEquals(0, o.status, o.err);
    SharedSpark.assertNothingNewCached(cached, "the experiment released the data it cached");
    assertTrue(o.out.contains("\"experiment\":\"pca\"") && o.out.contains("\"failed\":3"), o.out);
    // Progress: one plain line per fit: 3 exact fits, mm and pq once (neither reads l), countSketch at 2 sizes;
    // 3 trials each.
    assertEquals(15, o.err.lines().filter(l -> l.matches("\\[pca\\] \\d+/15 .*")).count(), o.err);

    List<Map<String, String>> rows = rows(dir.resolve("pca-spark.csv"), PcaExperiment.CSV_HEADER);
    // (mllib-pca 3 + mm 3 + countSketch 6 + pq 3 fits) x 2 values of k
    assertEquals(2 * (3 + 3 + 6 + 3), rows.size());
    // pq needs a trained codebook, which the estimator does not take: recorded with the message.
    for (Map<String, String> r : rows) {
      assertEquals(r.get("algo").equals("pq") ? "failed" : "ok", r.get("status"), r.toString());
    }
    assertTrue(rows.stream().filter(r -> r.get("algo").equals("pq")).allMatch(r -> r.get("message").contains("codebook")
        && Double.isNaN(num(r, "subspace_error"))), "pq's message names the codebook");

    // The exact floor of LibAMM's PCAError is lambda_{k+1} / lambda_1 of the covariance, computed here.
    double[] x = centeredRows();
    double[] c = new double[D * D];
    Blas.gemm(true, false, D, D, N, 1.0 / (N - 1), x, N, x, N, 0.0, c, D);
    double[] lambda = Lapack.symmetricEigenvalues(c, D);
    for (int k : PcaExperiment.KS) {
      double floor = lambda[D - 1 - k] / lambda[D - 1];
      for (Map<String, String> r : rows) {
        if (num(r, "k") == k) {
          assertEquals(floor, num(r, "exact_libamm_pca_error"), 1e-9 * floor, r.toString());
        }
      }
      // The exact product gives MLlib's subspace up to rounding: ||E||_2 ~ 1e-15 ||C||_2 over an eigengap of
      // about 0.1 ||C||_2 (Davis-Kahan) is ~1e-14; 1e-9 leaves room for the eigensolvers' accuracy.
      assertTrue(median(rows, "mm", 25, k, "subspace_error") < 1e-9, "mm k=" + k);
      assertEquals(floor, median(rows, "mm", 25, k, "libamm_pca_error"), 1e-9, "mm k=" + k);
      assertEquals(1.0, median(rows, "mm", 25, k, "captured_variance"), 1e-9, "mm k=" + k);
      // A sketch: sin(theta) <= 2 ||E||_2 / gap (Davis-Kahan) with E||E||_F^2 proportional to 1/l, so the
      // error falls as l^-1/2: 4x from l = 25 to 400. The median of 3 trials varies far less than 2x at
      // these sizes (the squared error is a sum over l buckets), so 2x must hold.
      double small = median(rows, "countSketch", 25, k, "subspace_error");
      double large = median(rows, "countSketch", 400, k, "subspace_error");
      assertTrue(large > 0 && large < small / 2, "countSketch k=" + k + ": " + small + " at l=25, " + large
          + " at l=400");
      double captured = median(rows, "countSketch", 400, k, "captured_variance");
      assertTrue(captured < 1 && captured > 1 - large, "captured variance " + captured);
    }

    String md = Files.readString(dir.resolve("pca-spark.md"));
    assertTrue(md.contains("![pca-spark](pca-spark.png)") && md.contains("## planted, 2,000 x 40"), md);
    for (int k : PcaExperiment.KS) {
      assertTrue(md.contains("### k = " + k + ": subspace error") && md.contains("### k = " + k
          + ": LibAMM's PCAError") && md.contains("### k = " + k + ": captured variance"), md);
    }
    assertTrue(md.contains("| algorithm | l = 25 | l = 400 |") && md.contains("| `mm` (any l) |")
        && md.contains("| `pq` (any l) | failed [1] | failed [1] |") && md.contains("### Fit time"), md);
    assertPng(dir.resolve("pca-spark.png"));
  }

  @Test
  void aTinyCcaOnPlantedDataMatchesTheCanonicalCorrelationsOfAnIndependentComputation() throws IOException {
    Set<Integer> cached = SharedSpark.cachedRddIds();
    MainTest.Outcome o = MainTest.run("experiment", "cca", "--data", "planted", "--size", N + "," + D, "--sketch",
        "60,600", "--algo", "mm,countSketch", "--trials", "2", "--regularization", "0", "--out", dir.toString());
    assertEquals(0, o.status, o.err);
    SharedSpark.assertNothingNewCached(cached, "the experiment released the data it cached");
    assertTrue(o.out.contains("\"experiment\":\"cca\"") && o.out.contains("\"failed\":0"), o.out);
    List<Map<String, String>> rows = rows(dir.resolve("cca-spark.csv"), CcaExperiment.CSV_HEADER);
    assertEquals(List.of("mm/60", "mm/60", "countSketch/60", "countSketch/60", "countSketch/600", "countSketch/600"),
        rows.stream().map(r -> r.get("algo") + "/" + r.get("sketch")).collect(Collectors.toList()));

    // Canonical correlations by Bjorck-Golub: the singular values of Qx^T Qy, Qx and Qy from the QR of the
    // centered halves (x = the first d/2 coordinates of each row, y the rest).
    double[] z = centeredRows();
    int p = D / 2;
    double[] qx = Lapack.qr(Arrays.copyOfRange(z, 0, N * p), N, p).q;
    double[] qy = Lapack.qr(Arrays.copyOfRange(z, N * p, N * D), N, D - p).q;
    double[] m = new double[p * (D - p)];
    Blas.gemm(true, false, p, D - p, N, 1.0, qx, N, qy, N, 0.0, m, p);
    double rho1 = Lapack.svd(m, p, D - p).s[0];
    for (Map<String, String> r : rows) {
      assertEquals("ok", r.get("status"));
      assertEquals(rho1, num(r, "exact_rho1"), 1e-9, "the exact rho_1");
      assertTrue(num(r, "top10_correlation_error") <= num(r, "correlation_error"), r.toString());
      if (r.get("algo").equals("mm")) { // rounding only: ~1e-15 relative, amplified by the conditioning
        assertTrue(num(r, "correlation_error") < 1e-9, r.toString());
      } else {
        assertTrue(num(r, "correlation_error") > 1e-6 && num(r, "correlation_error") <= 1, r.toString());
      }
    }
    String md = Files.readString(dir.resolve("cca-spark.md"));
    assertTrue(md.contains("## planted, 2,000 x 20 + 20") && md.contains("### LibAMM's CorrelationError")
        && md.contains("| algorithm | l = 60 | l = 600 |") && md.contains("| `countSketch` |"), md);
    assertTrue(!md.contains("LibAMM l = 439"), "LibAMM's figures are shown beside MNIST at l = 439 only");
    assertPng(dir.resolve("cca-spark.png"));
  }

  @Test
  void aMissingMnistAndBadOptionsFailWithOneLineAndWriteNothing() throws IOException {
    Path out = dir.resolve("out");
    String o = out.toString();
    String missing = dir.resolve("no-mnist").toString();
    String[][] cases = {
        {"experiment", "pca", "--mnist", missing, "--out", o},
        {"experiment", "cca", "--data", "mnist", "--mnist", missing, "--out", o},
        {"experiment", "pca", "--engine", "local", "--out", o},
        {"experiment", "cca", "--engine", "spark,local", "--out", o},
        {"experiment", "pca", "--data", "sift", "--out", o},
        {"experiment", "pca", "--data", "planted,planted", "--out", o},
        {"experiment", "pca", "--data", "planted", "--size", "100", "--out", o},
        {"experiment", "pca", "--data", "planted", "--size", "100,5", "--out", o},
        {"experiment", "cca", "--data", "planted", "--size", "100,12", "--out", o},
        {"experiment", "pca", "--data", "planted", "--set", "algoDelta=0.1", "--out", o},
        {"experiment", "cca", "--data", "planted", "--regularization", "-1", "--out", o},
        {"experiment", "cca", "--data", "planted", "--regularization", "x", "--out", o},
        {"experiment", "pca", "--data", "planted", "--regularization", "1", "--out", o},
        {"experiment", "pca", "--data", "planted", "--trials", "0", "--out", o},
        {"experiment", "cca", "--data", "planted", "--algo", "nosuch", "--out", o},
    };
    String[] messages = {"MNIST not found at " + missing + ": run data/fetch-mnist.sh",
        "MNIST not found at " + missing + ": run data/fetch-mnist.sh", "on Spark only: drop --engine local",
        "on Spark only", "--data must list mnist and/or planted, got 'sift'", "--data names planted twice",
        "--size must be ROWS,COLS (the planted data)", "needs at least 2 rows and 10 columns",
        "needs at least 2 rows and 20 columns", "--set is not read by the estimators",
        "--regularization must be a finite number >= 0", "--regularization must be a number",
        "unknown option --regularization", "--trials must be at least 1", "unknown algorithm 'nosuch'"};
    for (int i = 0; i < cases.length; i++) {
      MainTest.Outcome r = MainTest.run(cases[i]);
      String what = String.join(" ", cases[i]);
      assertEquals(2, r.status, what + ": " + r.err);
      assertEquals(1, r.err.strip().lines().count(), what + ": one line, got " + r.err);
      assertTrue(r.err.startsWith("spark-amm: error: ") && r.err.contains(messages[i]), what + ": " + r.err);
      assertTrue(r.out.isEmpty(), what);
      if (Files.exists(out)) {
        try (Stream<Path> files = Files.list(out)) {
          assertEquals(0, files.count(), what + " wrote files");
        }
      }
    }
  }
}
