package org.sparkamm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.Amm;
import org.sparkamm.SharedSpark;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.loader.GeneratorLoader;
import org.sparkamm.loader.MatrixLoaders;

/**
 * The generating loaders' training draw (independent entries of the same distribution, from streams
 * of their own), and the codebook methods training on it in the scan instead of failing.
 */
class TrainingDrawTest {
  @TempDir
  Path dir;

  private static AmmConfig dims() {
    return new AmmConfig().edit("aRow", 120L).edit("aCol", 90L).edit("bCol", 40L).edit("seed", 8L);
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  /**
   * Same shapes and distribution, other entries: for U[0, 1) entries the training draw's mean is
   * 1/2 within 5 standard errors (sd 1/sqrt(12 N)), and its entries are uncorrelated with the test
   * draw's (the sample correlation of N independent pairs has sd 1/sqrt(N); 5 of them allowed). The
   * same seed gives the same training draw; another seed another one.
   */
  @Test
  void everyGeneratingLoaderHasAnIndependentTrainingDraw() {
    for (String tag : MatrixLoaders.tags()) {
      if (!(MatrixLoaders.create(tag) instanceof GeneratorLoader)) {
        continue;
      }
      GeneratorLoader g = (GeneratorLoader) MatrixLoaders.create(tag).setConfig(dims());
      GeneratorLoader t = g.trainingDraw();
      DenseMatrix a = g.getA();
      DenseMatrix ta = t.getA();
      assertEquals(a.numRows(), ta.numRows(), tag);
      assertEquals(a.numCols(), ta.numCols(), tag);
      assertEquals(g.getB().numRows(), t.getB().numRows(), tag);
      assertEquals(g.getB().numCols(), t.getB().numCols(), tag);
      assertFalse(java.util.Arrays.equals(a.values(), ta.values()), tag + ": the training A is the test A");
      assertFalse(java.util.Arrays.equals(g.getB().values(), t.getB().values()), tag + ": the training B is the test B");
      assertArrayEquals(ta.values(), ((GeneratorLoader) MatrixLoaders.create(tag).setConfig(dims())).trainingDraw()
          .getA().values(), tag + ": a pure function of the seed");
      assertFalse(java.util.Arrays.equals(ta.values(), ((GeneratorLoader) MatrixLoaders.create(tag)
          .setConfig(dims().edit("seed", 9L))).trainingDraw().getA().values()), tag + ": the seed is read");
      assertArrayEquals(ta.values(), t.trainingDraw().getA().values(), tag + ": a training draw's training draw");
    }
    GeneratorLoader g = (GeneratorLoader) MatrixLoaders.create("random").setConfig(dims());
    double[] x = g.getA().values();
    double[] y = g.trainingDraw().getA().values();
    int n = x.length;
    assertEquals(0.5, mean(y), 5 / Math.sqrt(12.0 * n), "U[0, 1) mean");
    double mx = mean(x);
    double my = mean(y);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    assertEquals(0, sxy / Math.sqrt(sxx * syy), 5 / Math.sqrt(n), "correlation of the two draws");
  }

  private static Problem load(String loader, String engine) {
    String[] argv = {"--loader", loader, "--set", "aRow=50", "--set", "aCol=70", "--set", "bCol=30", "--set",
        "zipfAlphaA=1.2", "--engine", engine, "--block-size", "32"};
    Args args = new Args("bench", argv, 0, Problem.VALUE_OPTIONS, Problem.FLAG_OPTIONS);
    return Problem.load("bench", args, RunConfig.of("bench", args));
  }

  /**
   * The problem's training operands are the loader's training draw, on either engine (zipf also
   * divides each draw by its own largest entry, where it is generated): their exact product is the
   * training draw's A B.
   */
  @Test
  void theProblemsTrainingOperandsAreTheLoadersTrainingDraw() {
    SharedSpark.session();
    for (String tag : new String[] {"random", "zipf"}) {
      GeneratorLoader g = (GeneratorLoader) MatrixLoaders.create(tag).setConfig(new AmmConfig().edit("aRow", 50L)
          .edit("aCol", 70L).edit("bCol", 30L).edit("zipfAlphaA", 1.2));
      GeneratorLoader t = g.trainingDraw();
      double[] expected = t.getA().multiply(t.getB()).values();
      double[] test = g.getA().multiply(g.getB()).values();
      for (String engine : new String[] {"local", "spark"}) {
        try (Problem problem = load(tag, engine); Problem training = problem.training("bench")) {
          Problem.Run exact = training.run(Amm.create("mm"), 1);
          double[] c = exact.toLocal().values();
          exact.release();
          for (int i = 0; i < c.length; i++) {
            assertEquals(expected[i], c[i], 1e-9 * Math.abs(expected[i]), tag + " on " + engine);
          }
          assertFalse(java.util.Arrays.equals(test, c), tag + ": trained on the test draw");
        }
      }
    }
  }

  /** File inputs have no training draw: the codebook methods are pointed at train-codebooks. */
  @Test
  void fileInputsHaveNoTrainingDraw() throws IOException {
    Path a = dir.resolve("a.npy");
    Path b = dir.resolve("b.npy");
    org.sparkamm.io.Npy.write(a, new DenseMatrix(3, 4, new double[12]), false);
    org.sparkamm.io.Npy.write(b, new DenseMatrix(4, 2, new double[8]), false);
    String[] argv = {"--a", a.toString(), "--b", b.toString(), "--engine", "local"};
    Args args = new Args("bench", argv, 0, Problem.VALUE_OPTIONS, Problem.FLAG_OPTIONS);
    try (Problem problem = Problem.load("bench", args, RunConfig.of("bench", args))) {
      AmmArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(AmmArgumentException.class,
          () -> problem.training("bench"));
      assertTrue(e.getMessage().contains("train-codebooks"), e.getMessage());
    }
  }

  /** The scan, on its random loader, runs the codebook methods: trained on the training draw, measured on the test draw. */
  @Test
  void theScanRunsTheCodebookMethods() throws IOException {
    MainTest.Outcome o = MainTest.run("experiment", "scan", "--engine", "local", "--size", "300,64,40", "--sketch",
        "10", "--algo", "pq-raw,pq-hash,vq,pq", "--trials", "1", "--out", dir.toString());
    assertEquals(0, o.status, o.err);
    assertTrue(o.out.contains("\"failed\":0"), o.out + o.err);
    for (String tag : new String[] {"pq-raw", "pq-hash", "vq", "pq"}) {
      assertTrue(o.err.contains("trained " + tag + " in "), o.err);
    }
    List<String> rows = Files.readAllLines(dir.resolve("scan-local.csv")).stream()
        .filter(l -> l.startsWith("local,pq") || l.startsWith("local,vq")).collect(Collectors.toList());
    assertEquals(4, rows.size(), String.join("\n", rows));
    for (String row : rows) {
      String[] f = row.split(",");
      double error = Double.parseDouble(f[7]);
      assertTrue(f[6].equals("ok") && error > 0 && error < 1, row);
    }
  }
}
