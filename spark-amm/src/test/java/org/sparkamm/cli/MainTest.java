package org.sparkamm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.Amm;
import org.sparkamm.SharedSpark;
import org.sparkamm.TestMatrices;
import org.sparkamm.io.LoadedMatrix;
import org.sparkamm.io.Npy;

/** The command line: outputs, exit codes, and one-line errors that leave no partial output. */
class MainTest {
  @TempDir
  Path dir;
  private Path a;
  private Path b;
  private final DenseMatrix am = TestMatrices.gaussian(30, 50, 1);
  private final DenseMatrix bm = TestMatrices.gaussian(50, 20, 2);

  /** What one run printed and returned. */
  static final class Outcome {
    final int status;
    final String out;
    final String err;

    Outcome(int status, String out, String err) {
      this.status = status;
      this.out = out;
      this.err = err;
    }
  }

  static Outcome run(String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @BeforeEach
  void writeInputs() {
    a = dir.resolve("a.npy");
    b = dir.resolve("b.npy");
    Npy.write(a, am, false);
    Npy.write(b, TestMatrices.rowMajor(bm), true);
  }

  @Test
  void multiplyWritesTheProductAndOneJsonLine() {
    Path c = dir.resolve("c.npy");
    Outcome o = run("multiply", "--a", a.toString(), "--b", b.toString(), "--algo", "COUNTSKETCH", "--sketch", "16",
        "--seed", "3", "--out", c.toString(), "--engine", "local");
    assertEquals(0, o.status, o.err);
    String json = o.out.strip();
    assertFalse(json.contains("\n"));
    for (String key : new String[] {"\"algo\":\"countSketch\"", "\"m\":30", "\"k\":50", "\"n\":20", "\"sketch\":16",
        "\"seed\":3", "\"millis\":", "\"buildATime\":", "\"buildBTime\":", "\"fABTime\":", "\"postProcessTime\":"}) {
      assertTrue(json.contains(key), key + " missing in " + json);
    }
    DenseMatrix bf = Npy.read(b).matrix; // B went through float32
    double[] expected = Amm.create("countSketch").setSeed(3).multiply(am, bf, 16).toArray();
    LoadedMatrix got = Npy.read(c);
    assertFalse(got.float32, "float64 in (A) gives float64 out");
    assertTrue(TestMatrices.maxAbsDiff(expected, got.matrix.toArray()) < 1e-12 * TestMatrices.maxAbs(expected));
  }

  @Test
  void theExactProductNeedsNoSketchSize() {
    Path c = dir.resolve("c.npy");
    Outcome o = run("multiply", "--a", a.toString(), "--b", b.toString(), "--algo", "mm", "--out", c.toString(),
        "--engine", "local");
    assertEquals(0, o.status, o.err);
    assertTrue(o.out.contains("\"algo\":\"mm\""), o.out);
    double[] expected = TestMatrices.naiveProduct(am, Npy.read(b).matrix);
    assertTrue(TestMatrices.maxAbsDiff(expected, Npy.read(c).matrix.toArray()) < 1e-12 * TestMatrices.maxAbs(expected) * 50);
    Outcome sketch = run("multiply", "--a", a.toString(), "--b", b.toString(), "--algo", "crs", "--engine", "local");
    assertEquals("spark-amm: error: multiply: missing required option --sketch (or config key 'sketchDimension')",
        sketch.err.strip());
  }

  @Test
  void sparkEngineGivesTheLocalAnswer() {
    SharedSpark.session();
    java.util.Set<Integer> cachedBefore = SharedSpark.cachedRddIds();
    Path c = dir.resolve("c.npy");
    Path at = dir.resolve("at.npy");
    Npy.write(at, am.transpose(), false);
    Outcome o = run("multiply", "--a", at.toString(), "--b", b.toString(), "--transpose-a", "--algo", "weighted-cr",
        "--sketch", "12", "--out", c.toString(), "--partitions", "3", "--block-size", "7");
    assertEquals(0, o.status, o.err);
    assertTrue(o.out.contains("\"engine\":\"spark\""), o.out);
    double[] expected = Amm.create("weighted-cr").multiply(am, Npy.read(b).matrix, 12).toArray();
    assertTrue(TestMatrices.maxAbsDiff(expected, Npy.read(c).matrix.toArray()) < 1e-9 * TestMatrices.maxAbs(expected));
    assertFalse(SharedSpark.session().sparkContext().isStopped(), "the command must not stop a session it did not start");
    SharedSpark.assertNothingNewCached(cachedBefore, "the command released its inputs");
    // A load that fails inside the executors (a NaN in B) releases what it had cached too.
    Path nanB = dir.resolve("nanb.npy");
    double[] v = bm.values().clone();
    v[7] = Double.NaN;
    Npy.write(nanB, new DenseMatrix(50, 20, v), false);
    assertEquals(2, run("multiply", "--a", a.toString(), "--b", nanB.toString(), "--algo", "crs", "--sketch", "5").status);
    SharedSpark.assertNothingNewCached(cachedBefore, "a failed load released A");
    // Another master while a session runs: getOrCreate would silently ignore it.
    Outcome other = run("multiply", "--a", at.toString(), "--b", b.toString(), "--transpose-a", "--algo", "crs",
        "--sketch", "5", "--master", "local[1]");
    assertEquals(2, other.status, other.err);
    assertTrue(other.err.contains("master 'local[2]' is already running in this process"), other.err);
    assertEquals(0, run("multiply", "--a", at.toString(), "--b", b.toString(), "--transpose-a", "--algo", "crs",
        "--sketch", "5", "--master", "local[2]").status, "the running master, named, is fine");
  }

  /**
   * An output that cannot be written after the product was computed (a name too long for the
   * temporary file beside it) fails with one line, writes nothing, and releases the product.
   */
  @Test
  void aProductThatCannotBeWrittenIsReleased() throws IOException {
    SharedSpark.session();
    java.util.Set<Integer> cachedBefore = SharedSpark.cachedRddIds();
    Path c = dir.resolve("c".repeat(246) + ".npy"); // 250 bytes: a valid name, but not with AtomicFile's affixes
    Outcome o = run("multiply", "--a", a.toString(), "--b", b.toString(), "--algo", "countSketch", "--sketch", "8",
        "--partitions", "2", "--block-size", "16", "--out", c.toString());
    assertEquals(2, o.status, o.err);
    assertTrue(o.err.startsWith("spark-amm: error: ") && o.err.strip().split("\n").length == 1, o.err);
    assertEquals("", o.out);
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(a, b), files.sorted().collect(java.util.stream.Collectors.toList()), "no partial output");
    }
    SharedSpark.assertNothingNewCached(cachedBefore, "a failed write released the product");
  }

  @Test
  void autoSketchChoosesForATargetErrorAndReportsThePrediction() {
    Outcome o = run("multiply", "--gen", "3000,30,20", "--transpose-a", "--algo", "countSketch", "--sketch", "auto",
        "--target-error", "0.3", "--engine", "local");
    assertEquals(0, o.status, o.err);
    assertTrue(o.out.contains("\"target_error\":0.3") && o.out.contains("\"predicted_error\":"), o.out);
    Outcome missing = run("multiply", "--a", a.toString(), "--b", b.toString(), "--algo", "crs", "--sketch", "auto",
        "--engine", "local");
    assertEquals(2, missing.status);
    assertTrue(missing.err.contains("--sketch auto needs --target-error"), missing.err);
    Outcome stray = run("multiply", "--a", a.toString(), "--b", b.toString(), "--algo", "crs", "--sketch", "4",
        "--target-error", "0.1", "--engine", "local");
    assertEquals(2, stray.status);
    assertTrue(stray.err.contains("--target-error goes with --sketch auto"), stray.err);
  }

  @Test
  void benchWritesOneCsvRowPerTrialWithTenSignificantDigits() throws IOException {
    Path csv = dir.resolve("bench.csv");
    Outcome o = run("bench", "--a", a.toString(), "--b", b.toString(), "--algo", "crs,countSketch,mm",
        "--sketch", "8,16", "--trials", "3", "--seed", "10", "--csv", csv.toString(), "--engine", "local");
    assertEquals(0, o.status, o.err);
    List<String> lines = Files.readAllLines(csv);
    assertTrue(lines.get(0).startsWith("algo,sketch,trial,seed,fro_error,expected_error,millis"), lines.get(0));
    assertEquals(1 + 2 * 2 * 3 + 3, lines.size());
    List<String> seeds = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      seeds.add(f[3]);
      String mantissa = f[4].split("e")[0].replace("-", "").replace(".", "");
      assertTrue(mantissa.length() >= 10, f[4]);
      assertTrue(Double.parseDouble(f[4]) >= 0);
      if (f[0].equals("mm")) {
        assertTrue(Double.parseDouble(f[4]) < 1e-12);
      }
    }
    assertEquals(List.of("10", "11", "12"), seeds.subList(0, 3));
    assertTrue(o.err.contains("speedup"), o.err);
  }

  @Test
  void convertReadsATorchTensorWithoutPyTorch() {
    Path out = dir.resolve("qa.npy");
    Path pt = Path.of("..", "..", "shared", "fixtures", "libamm", "prototypes.pt");
    Outcome o = run("convert", pt.toString(), out.toString(), "--key", "QA");
    assertEquals(0, o.status, o.err);
    assertTrue(o.out.contains("\"rows\":5") && o.out.contains("\"dtype\":\"float32\""), o.out);
    LoadedMatrix m = Npy.read(out);
    assertTrue(m.float32);
    assertEquals(5, m.matrix.numCols());
    Outcome bad = run("convert", pt.toString(), dir.resolve("p.npy").toString());
    assertEquals(2, bad.status);
    assertTrue(bad.err.contains("holds 2 tensors (prototypes, QA); name one with --key"), bad.err);
    assertFalse(Files.exists(dir.resolve("p.npy")));
  }

  @Test
  void loadersFeedMultiplyOnBothEngines() {
    String[] common = {"multiply", "--loader", "gaussian", "--set", "aRow=20", "--set", "aCol=300", "--set", "bCol=10",
        "--set", "sigmaA=2.5", "--algo", "countSketch", "--sketch", "30"};
    Path cl = dir.resolve("cl.npy");
    Path cs = dir.resolve("cs.npy");
    List<String> local = new ArrayList<>(List.of(common));
    local.addAll(List.of("--engine", "local", "--out", cl.toString()));
    List<String> spark = new ArrayList<>(List.of(common));
    spark.addAll(List.of("--block-size", "64", "--out", cs.toString()));
    SharedSpark.session();
    assertEquals(0, run(local.toArray(new String[0])).status);
    Outcome o = run(spark.toArray(new String[0]));
    assertEquals(0, o.status, o.err);
    double[] x = Npy.read(cl).matrix.toArray();
    assertTrue(TestMatrices.maxAbsDiff(x, Npy.read(cs).matrix.toArray()) < 1e-9 * TestMatrices.maxAbs(x));
    assertEquals(20, Npy.read(cl).matrix.numRows());
    Outcome bad = run("multiply", "--loader", "gaussian", "--set", "aRow", "--algo", "mm", "--sketch", "1");
    assertEquals("spark-amm: error: --set expects key=value, got 'aRow'", bad.err.strip());
    bad = run("multiply", "--loader", "gaussian", "--a", a.toString(), "--algo", "mm", "--sketch", "1");
    assertTrue(bad.err.contains("give the inputs one way"), bad.err);
  }

  @Test
  void anyReadableFileIsAnInput() throws IOException {
    Path mtx = dir.resolve("a.mtx");
    StringBuilder sb = new StringBuilder("%%MatrixMarket matrix array real general\n30 50\n");
    for (int j = 0; j < 50; j++) {
      for (int i = 0; i < 30; i++) {
        sb.append(am.apply(i, j)).append('\n');
      }
    }
    Files.writeString(mtx, sb.toString());
    Path c1 = dir.resolve("c1.npy");
    Path c2 = dir.resolve("c2.npy");
    assertEquals(0, run("multiply", "--a", mtx.toString(), "--b", b.toString(), "--algo", "crs", "--sketch", "9",
        "--engine", "local", "--out", c1.toString()).status);
    assertEquals(0, run("multiply", "--a", a.toString(), "--b", b.toString(), "--algo", "crs", "--sketch", "9",
        "--engine", "local", "--out", c2.toString()).status);
    assertArrayEquals(Npy.read(c2).matrix.toArray(), Npy.read(c1).matrix.toArray(), 1e-12);
  }

  @Test
  void badInputsFailWithOneLineAndNoOutput() throws IOException {
    Path c = dir.resolve("c.npy");
    Path nan = dir.resolve("nan.npy");
    double[] v = am.values().clone();
    v[4] = Double.NaN;
    Npy.write(nan, new DenseMatrix(30, 50, v), false);
    Path truncated = dir.resolve("trunc.npy");
    byte[] full = Files.readAllBytes(a);
    Files.write(truncated, java.util.Arrays.copyOf(full, full.length - 100));
    String[][] cases = {
        {"inner dimensions differ: A is 30x50, B is 30x50", "--a", a.toString(), "--b", a.toString()},
        {"sketch size must be at least 1, got 0", "--a", a.toString(), "--b", b.toString(), "--sketch", "0"},
        {"unknown algorithm 'fastest'; valid tags: mm, crs, weighted-cr, countSketch", "--algo", "fastest"},
        {"NaN or infinite value", "--a", nan.toString(), "--b", b.toString()},
        {"no such file", "--a", dir.resolve("none.npy").toString(), "--b", b.toString()},
        {"truncated .npy file", "--a", truncated.toString(), "--b", b.toString()},
        {"does not exist", "--out", dir.resolve("missing/c.npy").toString()},
        {"unknown option --sketchsize", "--sketchsize", "3"},
        {"--sketch must be an integer, got 'many'", "--sketch", "many"},
        {"config key 'numMidDimSplits' must be in [1, 1048576], got 0", "--set", "numMidDimSplits=0"},
        {"config key 'seed' must be an integer, got the string 'abc'", "--set", "seed=abc"},
        {"config key 'sketchDimension' must be in [1, 2147483647], got 0", "--sketch", null, "--set",
            "sketchDimension=0"},
    };
    // The whole catalogue on both engines: on Spark the NaN is found by the executors reading the
    // file, inside a task, and must still come out as one line with exit status 2.
    SharedSpark.session();
    for (String engine : new String[] {"local", "spark"}) {
    for (String[] bad : cases) {
      List<String> argv = new ArrayList<>(List.of("multiply", "--a", a.toString(), "--b", b.toString(),
          "--algo", "crs", "--sketch", "5", "--engine", engine, "--out", c.toString()));
      for (int i = 1; i < bad.length; i += 2) {
        int at = argv.indexOf(bad[i]);
        if (bad[i + 1] == null) { // drop the option
          argv.subList(at, at + 2).clear();
        } else if (at >= 0) {
          argv.set(at + 1, bad[i + 1]);
        } else {
          argv.add(bad[i]);
          argv.add(bad[i + 1]);
        }
      }
      Outcome o = run(argv.toArray(new String[0]));
      assertEquals(2, o.status, engine + ": " + bad[0] + ": " + o.err);
      assertEquals("", o.out, bad[0]);
      assertEquals(1, o.err.strip().split("\n").length, "one line: " + o.err);
      assertTrue(o.err.startsWith("spark-amm: error: ") && o.err.contains(bad[0]), bad[0] + " not in " + o.err);
      assertFalse(Files.exists(c), "no partial output for " + bad[0]);
    }
    }
    Outcome verbose = run("multiply", "--a", a.toString(), "--b", a.toString(), "--algo", "crs", "--sketch", "3",
        "--engine", "local", "--verbose");
    assertTrue(verbose.err.contains("at org.sparkamm"), "--verbose shows the stack trace");
    assertEquals(2, run("frobnicate").status);
    Outcome noAlgo = run("multiply", "--a", a.toString(), "--b", b.toString(), "--sketch", "5", "--engine", "local");
    assertEquals(2, noAlgo.status);
    assertEquals("spark-amm: error: multiply: missing required option --algo (or config key 'cppAlgoTag')",
        noAlgo.err.strip());
    Outcome noSketch = run("bench", "--gen", "30,20,10", "--algo", "crs", "--engine", "local");
    assertEquals(2, noSketch.status);
    assertEquals("spark-amm: error: bench: missing required option --sketch (or config key 'sketchDimension')",
        noSketch.err.strip());
  }

  /** The product of one multiply run on the files of this test, with extra options. */
  private double[] product(String... extra) {
    Path c = dir.resolve("c" + System.nanoTime() + ".npy");
    List<String> argv = new ArrayList<>(List.of("multiply", "--a", a.toString(), "--b", b.toString(),
        "--algo", "countSketch", "--sketch", "16", "--engine", "local", "--out", c.toString()));
    argv.addAll(List.of(extra));
    Outcome o = run(argv.toArray(new String[0]));
    assertEquals(0, o.status, o.err);
    assertEquals("", o.err, "no warning expected");
    return Npy.read(c).matrix.toArray();
  }

  @Test
  void setAndConfigReachTheAlgorithmWithoutALoader() throws IOException {
    double[] set5 = product("--set", "seed=5");
    assertArrayEquals(product("--seed", "5"), set5, 0.0);
    assertFalse(java.util.Arrays.equals(product("--seed", "6"), set5), "the seed key must change the sketch");
    assertArrayEquals(set5, product("--set", "seed=6", "--seed", "5"), 0.0, "--seed wins over the seed key");
    Path cfg = dir.resolve("seed6.csv");
    Files.writeString(cfg, "key,value,type\nseed,6,I64\n");
    assertArrayEquals(product("--seed", "6"), product("--config", cfg.toString()), 0.0);
    assertArrayEquals(set5, product("--config", cfg.toString(), "--set", "seed=5"), 0.0, "--set wins over --config");
    Outcome o = run("multiply", "--a", a.toString(), "--b", b.toString(), "--algo", "crs", "--sketch", "9",
        "--engine", "local", "--set", "seed=5");
    assertTrue(o.out.contains("\"seed\":5"), "the JSON reports the seed used: " + o.out);
  }

  /** A LibAMM benchmark config with its driver keys. */
  private Path libammConfig() throws IOException {
    Path cfg = dir.resolve("libamm.csv");
    Files.writeString(cfg, String.join("\n", "key,value,type", "aRow,15,U64", "aCol,200,U64", "bCol,8,U64",
        "sketchDimension,12,U64", "cppAlgoTag,countSketch,String", "matrixLoaderTag,gaussian,String", "useCPP,1,U64",
        "threads,16,U64", "ptFile,torchscripts/RAWMM.pt,String", "forceMP,0,U64", "coreBind,0,U64", ""));
    return cfg;
  }

  @Test
  void aLibAmmConfigAloneDrivesMultiply() throws IOException {
    Path cfg = libammConfig();
    Path c1 = dir.resolve("c1.npy");
    Path c2 = dir.resolve("c2.npy");
    Outcome o = run("multiply", "--config", cfg.toString(), "--engine", "local", "--out", c1.toString());
    assertEquals(0, o.status, o.err);
    assertEquals("", o.err, "driver keys are accepted silently");
    for (String key : new String[] {"\"algo\":\"countSketch\"", "\"m\":15", "\"k\":200", "\"n\":8",
        "\"sketch\":12"}) {
      assertTrue(o.out.contains(key), key + " missing in " + o.out);
    }
    Outcome flags = run("multiply", "--loader", "gaussian", "--set", "aRow=15", "--set", "aCol=200", "--set", "bCol=8",
        "--algo", "countSketch", "--sketch", "12", "--engine", "local", "--out", c2.toString());
    assertEquals(0, flags.status, flags.err);
    assertArrayEquals(Npy.read(c2).matrix.toArray(), Npy.read(c1).matrix.toArray(), 0.0);
  }

  @Test
  void flagsWinOverConfigKeys() throws IOException {
    Path cfg = libammConfig();
    Outcome o = run("multiply", "--config", cfg.toString(), "--algo", "crs", "--sketch", "5", "--engine", "local");
    assertEquals(0, o.status, o.err);
    assertTrue(o.out.contains("\"algo\":\"crs\"") && o.out.contains("\"sketch\":5"), o.out);
    Path c = dir.resolve("c.npy");
    o = run("multiply", "--config", cfg.toString(), "--loader", "random", "--algo", "mm", "--engine", "local",
        "--out", c.toString());
    assertEquals(0, o.status, o.err);
    for (double x : Npy.read(c).matrix.toArray()) {
      assertTrue(x > 0, "U[0,1) inputs from --loader random, not the config's gaussian");
    }
    o = run("multiply", "--config", cfg.toString(), "--a", a.toString(), "--b", b.toString(), "--engine", "local");
    assertEquals(0, o.status, o.err);
    assertTrue(o.out.contains("\"m\":30") && o.out.contains("\"n\":20"), "files win over matrixLoaderTag: " + o.out);
    assertTrue(o.err.contains("config key 'aRow' is not read by the algorithm or the loader; ignored"), o.err);
    o = run("bench", "--config", cfg.toString(), "--sketch", "4,8", "--engine", "local");
    assertEquals(0, o.status, o.err);
    assertEquals(1 + 2, o.out.strip().split("\n").length, o.out);
    assertTrue(o.out.contains("countSketch,4,") && o.out.contains("countSketch,8,"), o.out);
  }

  @Test
  void anUnreadKeyIsReportedOnce() {
    Outcome o = run("bench", "--loader", "gaussian", "--set", "aRow=20", "--set", "aCol=60", "--set", "bCol=10",
        "--set", "sigmaA=2", "--set", "seed=4", "--set", "foo=1", "--set", "cppAlgoTag=mm", "--set", "threads=8",
        "--algo", "crs,countSketch,weighted-cr,mm", "--sketch", "8,16", "--trials", "2", "--engine", "local");
    assertEquals(0, o.status, o.err);
    String line = "spark-amm: warning: config key 'foo' is not read by the algorithm or the loader; ignored";
    assertEquals(1, o.err.split(java.util.regex.Pattern.quote(line), -1).length - 1, o.err);
    assertEquals(1, o.err.split("warning", -1).length - 1, "only foo is unread: " + o.err);
    assertTrue(o.out.contains("crs,8,0,4,"), "the seed key is bench's base seed: " + o.out);
    Outcome m = run("multiply", "--gen", "30,20,10", "--transpose-a", "--algo", "crs", "--sketch", "4", "--set", "aRow=20",
        "--engine", "local");
    assertEquals(0, m.status, m.err);
    assertEquals("spark-amm: warning: config key 'aRow' is not read by the algorithm or the loader; ignored",
        m.err.strip());
  }

  /** The JSON line names the backend that ran; the fake {@code counting} backend stands in for a GPU in tests. */
  @Test
  void useCudaFlagsAndKeysChooseTheBackend() {
    String[] base = {"multiply", "--a", a.toString(), "--b", b.toString(), "--algo", "countSketch", "--sketch", "8"};
    java.util.function.Function<String[], Outcome> with = extra -> {
      List<String> argv = new ArrayList<>(List.of(base));
      argv.addAll(List.of(extra));
      return run(argv.toArray(new String[0]));
    };
    Outcome cpu = with.apply(new String[] {"--engine", "local"});
    assertEquals(0, cpu.status, cpu.err);
    assertTrue(cpu.out.contains("\"backend\":\"cpu\""), cpu.out);
    for (String[] gpu : new String[][] {{"--engine", "local", "--use-cuda"}, {"--engine", "local", "--require-gpu"},
        {"--engine", "local", "--set", "useCuda=1"}, {"--engine", "spark", "--use-cuda", "--partitions", "2"}}) {
      Outcome o = with.apply(gpu);
      assertEquals(0, o.status, String.join(" ", gpu) + ": " + o.err);
      assertTrue(o.out.contains("\"backend\":\"counting\""), String.join(" ", gpu) + ": " + o.out);
      assertFalse(o.err.contains("useCuda"), "useCuda is read, never reported as unread: " + o.err);
    }
    for (String bad : new String[] {"useCuda=2", "useCuda=-1", "useCuda=yes", "requireGpu=1"}) {
      Outcome o = with.apply(new String[] {"--engine", "local", "--set", bad});
      assertEquals(2, o.status, bad + ": " + o.out);
      assertEquals(1, o.err.strip().lines().filter(line -> !line.startsWith("(run again")).count(), bad + ": " + o.err);
      assertTrue(o.err.contains("useCuda") || o.err.contains("requireGpu"), o.err);
    }
  }
}
