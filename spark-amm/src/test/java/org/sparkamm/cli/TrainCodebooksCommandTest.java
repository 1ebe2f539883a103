package org.sparkamm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.Amm;
import org.sparkamm.SharedSpark;
import org.sparkamm.TestMatrices;
import org.sparkamm.codebook.Codebook;
import org.sparkamm.io.Npy;

/** {@code train-codebooks}, multiplying through its file, and the demo's training on other generated columns. */
class TrainCodebooksCommandTest {
  @TempDir
  Path dir;
  private Path aTrain;
  private Path bTrain;
  private Path a;
  private Path b;

  @BeforeEach
  void writeInputs() {
    aTrain = dir.resolve("a_train.npy");
    bTrain = dir.resolve("b_train.npy");
    a = dir.resolve("a.npy");
    b = dir.resolve("b.npy");
    Npy.write(aTrain, TestMatrices.gaussian(200, 40, 61), false);
    Npy.write(bTrain, TestMatrices.gaussian(40, 150, 62), false);
    Npy.write(a, TestMatrices.gaussian(30, 40, 63), false);
    Npy.write(b, TestMatrices.gaussian(40, 20, 64), false);
  }

  @Test
  void trainsWritesAndMultipliesThroughTheFile() {
    Path book = dir.resolve("pq.npz");
    MainTest.Outcome t = MainTest.run("train-codebooks", "--algo", "pq", "--a", aTrain.toString(), "--b", bTrain.toString(),
        "--set", "C=4", "--seed", "5", "--out", book.toString(), "--engine", "local");
    assertEquals(0, t.status, t.err);
    String json = t.out.strip();
    assertFalse(json.contains("\n"));
    for (String key : new String[] {"\"algo\":\"pq\"", "\"subspaces\":4", "\"inner\":40", "\"trainingRows\":200",
        "\"trainingColumns\":150", "\"seed\":5", "\"engine\":\"local\"", "\"millis\":"}) {
      assertTrue(json.contains(key), key + " missing in " + json);
    }
    Codebook cb = Codebook.load(book);
    assertEquals(Amm.create("pq").setConfig(new org.sparkamm.config.AmmConfig().edit("C", 4L)).setSeed(5)
        .train(Npy.read(aTrain).matrix, Npy.read(bTrain).matrix, 50), cb);
    Path c = dir.resolve("c.npy");
    MainTest.Outcome m = MainTest.run("multiply", "--algo", "pq", "--a", a.toString(), "--b", b.toString(), "--sketch",
        "1", "--set", "codebookPath=" + book, "--out", c.toString(), "--engine", "local");
    assertEquals(0, m.status, m.err);
    double[] expected = Amm.create("pq").setCodebook(cb).multiply(Npy.read(a).matrix, Npy.read(b).matrix, 1).toArray();
    assertArrayEquals(expected, Npy.read(c).matrix.toArray(), 1e-12 * (1 + TestMatrices.maxAbs(expected)));
  }

  @Test
  void oneSidedMethodsNeedNoBAndSparkTrainsFromGeneratedData() {
    Path raw = dir.resolve("raw.npz");
    MainTest.Outcome t = MainTest.run("train-codebooks", "--algo", "pq-raw", "--a", aTrain.toString(), "--sketch", "8",
        "--out", raw.toString(), "--engine", "local");
    assertEquals(0, t.status, t.err);
    assertEquals(8, Codebook.load(raw).subspaces().count()); // sketch 8 < 50: C := 8, LibAMM's rule
    SharedSpark.session(); // the command reuses the test JVM's session
    Path hash = dir.resolve("hash.npz");
    MainTest.Outcome s = MainTest.run("train-codebooks", "--algo", "pq-hash", "--gen", "300,24,10", "--transpose-a",
        "--set", "trainingRows=100", "--out", hash.toString(), "--engine", "spark", "--block-size", "64");
    assertEquals(0, s.status, s.err);
    assertTrue(s.out.contains("\"engine\":\"spark\"") && s.out.contains("\"inner\":300"), s.out);
    assertTrue(Codebook.load(hash).hashed());
  }

  @Test
  void mistakesEndInOneLine() {
    Path out = dir.resolve("x.npz");
    MainTest.Outcome vq = MainTest.run("train-codebooks", "--algo", "vq", "--a", aTrain.toString(), "--out", out.toString(),
        "--engine", "local");
    assertEquals(2, vq.status);
    assertEquals("spark-amm: error: train-codebooks: vq trains codewords of B's columns too: give --b", vq.err.strip());
    MainTest.Outcome mm = MainTest.run("train-codebooks", "--algo", "mm", "--a", aTrain.toString(), "--out", out.toString());
    assertEquals("spark-amm: error: train-codebooks: mm has no codebook to train (pq-raw, pq-hash, vq, pq have)",
        mm.err.strip());
    MainTest.Outcome noOut = MainTest.run("train-codebooks", "--algo", "pq", "--a", aTrain.toString());
    assertEquals("spark-amm: error: train-codebooks: missing required option --out", noOut.err.strip());
    MainTest.Outcome untrained = MainTest.run("multiply", "--algo", "pq-raw", "--a", a.toString(), "--b", b.toString(),
        "--sketch", "5", "--engine", "local");
    assertEquals(2, untrained.status);
    assertTrue(untrained.err.strip().startsWith("spark-amm: error: pq-raw needs a codebook: set codebookPath=..."),
        untrained.err);
    assertFalse(untrained.err.strip().contains("\n"));
    MainTest.Outcome wrongDims = MainTest.run("multiply", "--algo", "pq", "--a", a.toString(), "--b", b.toString(),
        "--sketch", "5", "--set", "pqvqCodewordLookUpTablePath=" + dir.resolve("none_m1.pth"), "--engine", "local");
    assertTrue(wrongDims.err.strip().endsWith("none_m1.pth: no such file"), wrongDims.err);
    assertFalse(Files.exists(out));
  }

  @Test
  void theDemoTrainsOnOtherColumnsOfTheSameGenerators() {
    Args args = new Args("demo", new String[] {"demo", "--gen", "500,30,20", "--transpose-a", "--engine", "spark",
        "--block-size", "64"}, 1, Problem.VALUE_OPTIONS, Problem.FLAG_OPTIONS);
    SharedSpark.session();
    try (Problem problem = Problem.load("demo", args, RunConfig.of("demo", args));
        Problem training = problem.training("demo")) {
      assertEquals(problem.shape(), training.shape());
      Amm vq = Amm.create("vq");
      Codebook cb = training.train(vq, 256);
      assertEquals(500, cb.subspaces().inner());
      assertEquals(30, cb.trainingRows());
      assertEquals(20, cb.trainingColumns());
      // The training data is not the multiplied data, but shares its latent rows: the codebook fits it.
      Problem.Run exact = problem.run(Amm.create("mm"), 1);
      Problem.Run approx = problem.run(vq, 1);
      double error = problem.error(exact, approx);
      assertTrue(error > 0 && error < 1, "relative error " + error);
      exact.release();
      approx.release();
    }
    Args files = new Args("demo", new String[] {"demo", "--a", a.toString(), "--b", b.toString(), "--engine", "local"},
        1, Problem.VALUE_OPTIONS, Problem.FLAG_OPTIONS);
    try (Problem problem = Problem.load("demo", files, RunConfig.of("demo", files))) {
      org.sparkamm.error.AmmArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
          org.sparkamm.error.AmmArgumentException.class, () -> problem.training("demo"));
      assertTrue(e.getMessage().startsWith("demo: training data of the same distribution is drawn from --gen and the generating loaders only"));
    }
    MainTest.Outcome bench = MainTest.run("bench", "--gen", "400,20,10", "--transpose-a", "--algo", "pq,crs", "--sketch",
        "5", "--engine", "local");
    assertEquals(0, bench.status, bench.err);
    assertTrue(bench.err.contains("[bench] trained pq in ") && bench.out.contains("\npq,5,0,"), bench.err + bench.out);
    MainTest.Outcome demo = MainTest.run("demo", "--gen", "1100,16,12", "--engine", "local");
    assertEquals(0, demo.status, demo.err);
    for (String tag : Set.of("pq-raw", "pq-hash", "vq", "pq")) {
      assertTrue(demo.out.contains("trained " + tag + " in "), demo.out);
      assertTrue(demo.out.lines().anyMatch(l -> l.startsWith(tag + " ")), tag + " row missing:\n" + demo.out);
    }
  }
}
