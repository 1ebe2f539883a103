package org.sparkamm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.Amm;
import org.sparkamm.SharedSpark;
import org.sparkamm.algo.InnerNorms;
import org.sparkamm.algo.LocalEngine;
import org.sparkamm.algo.SketchSizing;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.loader.MatrixLoader;
import org.sparkamm.loader.MatrixLoaders;
import org.sparkamm.local.FrobeniusError;

/**
 * {@code spark-amm experiment}: tiny runs of the scan and speed experiments write the CSV, the
 * Markdown and the PNG with the rows and numbers an independent computation gives; a failing
 * algorithm is recorded and the rest goes on; bad options are one-line errors (exit 2) that leave
 * no files.
 */
class ExperimentCommandTest {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir
  Path dir;

  /** One data row of an experiment's CSV, by column name. */
  private static List<Map<String, String>> rows(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv).stream().filter(l -> !l.startsWith("#")).collect(Collectors.toList());
    assertTrue(lines.get(0).equals(Trial.CSV_HEADER) || lines.get(0).equals(ScanExperiment.CSV_HEADER), lines.get(0));
    String[] names = lines.get(0).split(",");
    List<Map<String, String>> out = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      // the message, the last column, is the only one that can hold a comma (quoted)
      String[] f = line.split(",", names.length);
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

  @Test
  void aTinyScanWritesCsvPngAndMarkdownWithTheNumbersOfAnIndependentComputation() throws IOException {
    MainTest.Outcome o = MainTest.run("experiment", "scan", "--engine", "local", "--size", "200", "--sketch", "10,50",
        "--algo", "mm,countSketch,cooFD", "--trials", "2", "--out", dir.toString());
    assertEquals(0, o.status, o.err);
    assertTrue(o.out.strip().startsWith("{\"experiment\":\"scan\"") && o.out.contains("\"failed\":0"), o.out);
    // Progress: one plain line per step on a non-terminal stderr (mm once, 2 algorithms x 2 sizes; 2 trials each).
    long steps = o.err.lines().filter(l -> l.matches("\\[scan\\] \\d+/10 local .*")).count();
    assertEquals(10, steps, o.err);

    Path csv = dir.resolve("scan-local.csv");
    List<String> comments = Files.readAllLines(csv).stream().filter(l -> l.startsWith("# ")).collect(Collectors.toList());
    for (String key : new String[] {"# command: spark-amm experiment scan", "# java: ", "# spark: 4.", "# blas: ",
        "# cpu: ", "# os: ", "# date: "}) {
      assertTrue(comments.stream().anyMatch(l -> l.startsWith(key)), key + " missing in " + comments);
    }
    List<Map<String, String>> rows = rows(csv);
    assertEquals(2 + 2 * 2 * 2, rows.size());

    // The same errors from the loader's matrices and the library's own entry point.
    AmmConfig size = new AmmConfig().edit("aRow", 200L).edit("aCol", 200L).edit("bCol", 200L);
    MatrixLoader loader = MatrixLoaders.create("random").setConfig(size);
    DenseMatrix a = loader.getA();
    DenseMatrix b = loader.getB();
    Matrix exact = Amm.create("mm").multiply(a, b, 1);
    double norm2 = FrobeniusError.squaredNorm(exact.toArray());
    InnerNorms norms = LocalEngine.norms(a, b);
    // What --sketch auto predicts: the closed form against the pilot drawn once, at the first trial's seed.
    SketchSizing.Pilot pilot = SketchSizing.Pilot.of(SketchSizing.localProbeValues(a, b, Amm.DEFAULT_SEED));
    for (Map<String, String> row : rows) {
      assertEquals("local", row.get("engine"));
      assertEquals("ok", row.get("status"));
      assertEquals("0", row.get("cold"));
      String tag = row.get("algo");
      int l = Integer.parseInt(row.get("sketch"));
      long seed = Long.parseLong(row.get("seed"));
      assertEquals(Amm.DEFAULT_SEED + Integer.parseInt(row.get("trial")), seed);
      Amm amm = Amm.create(tag).setSeed(seed);
      double error = Amm.relativeFrobeniusError(exact, amm.multiply(a, b, l));
      assertEquals(error, num(row, "fro_error"), 1e-9 * Math.max(error, 1e-3), tag + " l=" + l);
      double expected = Math.sqrt(Math.max(0, amm.algorithm().expectedSquaredError(norms, norm2, l, seed)) / norm2);
      double[] setting = rows.stream().filter(r -> r.get("algo").equals(tag) && r.get("sketch").equals(row.get(
          "sketch"))).mapToDouble(r -> num(r, "fro_error")).sorted().toArray();
      assertEquals(setting[0], num(row, "min_error"), 0, tag);
      assertEquals(setting[setting.length - 1], num(row, "max_error"), 0, tag);
      assertEquals(tag.equals("mm") ? 0 : (setting[0] + setting[1]) / 2, num(row, "median_error"), 1e-15, tag);
      if (Double.isNaN(expected)) { // no closed form (cooFD)
        assertTrue(Double.isNaN(num(row, "expected_error")) && Double.isNaN(num(row, "predicted_error")), tag);
      } else {
        assertEquals(expected, num(row, "expected_error"), 1e-12 * Math.max(1, expected), tag);
      }
      if (tag.equals("countSketch")) {
        SketchSizing.Prediction p = SketchSizing.predict(amm.algorithm(), norms, pilot, l, seed);
        assertEquals(p.error, num(row, "predicted_error"), 1e-12 * p.error, row.toString());
        assertEquals(p.low, num(row, "predicted_low"), 1e-12 * p.error, row.toString());
        assertEquals(p.high, num(row, "predicted_high"), 1e-12 * p.error, row.toString());
        assertTrue(p.low <= p.error && p.error <= p.high, row.toString());
        boolean meets = p.low <= setting[1] && p.high >= setting[0];
        assertEquals(meets ? "1" : "0", row.get("prediction_holds"), row.toString());
      }
      if (tag.equals("cooFD")) {
        // The deterministic guarantee ||AB - C||_2 <= bound, both over ||AB||_2 (power-iteration estimates).
        assertTrue(num(row, "spectral_error") > 0 && num(row, "spectral_error") <= num(row, "spectral_bound"),
            row.toString());
        assertEquals("1", row.get("prediction_holds"), "the bound holds: " + row);
      } else {
        assertTrue(Double.isNaN(num(row, "spectral_error")) && Double.isNaN(num(row, "spectral_bound")), tag);
      }
      assertTrue(Long.parseLong(row.get("millis")) >= 0 && row.get("message").isEmpty());
    }

    byte[] png = Files.readAllBytes(dir.resolve("scan-local.png"));
    assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(png, 8));
    assertTrue(png.length > 10_000, "a plot with lines, a grid and text, got " + png.length + " bytes");
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertEquals(1280, image.getWidth());
    assertTrue(LogLogPlotTest.pixels(image, 0x1f77b4) > 200, "countSketch's line (the first color) is drawn");
    assertTrue(LogLogPlotTest.pixels(image, 0xff7f0e) > 200, "cooFD's line (the second color) is drawn");

    String md = Files.readString(dir.resolve("scan-local.md"));
    assertTrue(md.contains("![scan-local](scan-local.png)"), md);
    assertTrue(md.contains("| algorithm | l = 10 | l = 50 |"), md);
    for (String tag : new String[] {"countSketch", "cooFD"}) {
      assertEquals(3, md.lines().filter(line -> line.startsWith("| `" + tag + "` |")).count() - (tag.equals("cooFD")
          ? 1 : 0), "an error row, a predicted-against-achieved row and a time row for " + tag
          + " (and a spectral row for cooFD):\n" + md);
      for (int l : new int[] {10, 50}) {
        double mean = rows.stream().filter(r -> r.get("algo").equals(tag) && r.get("sketch").equals("" + l))
            .mapToDouble(r -> num(r, "fro_error")).average().getAsDouble();
        assertTrue(md.contains(Cells.error(mean)), tag + " l=" + l + ": mean error " + Cells.error(mean) + "\n" + md);
      }
    }
    assertFalse(md.contains("| `mm` |"), "exact is the reference, not a row");
  }

  @Test
  void aFailingAlgorithmIsRecordedAndTheRestGoesOn() throws IOException {
    // sjlt's non-zeros per column must not exceed l: its trials at l = 10 fail, those at l = 50 run.
    MainTest.Outcome o = MainTest.run("experiment", "scan", "--engine", "local", "--size", "120,150,90", "--sketch",
        "10,50", "--algo", "sjlt,crs", "--set", "sjltNonzeros=20", "--trials", "1", "--out", dir.toString());
    assertEquals(0, o.status, o.err);
    assertTrue(o.out.contains("\"failed\":1"), o.out);
    assertTrue(o.err.contains("local sjlt l=10 trial 1/1: failed: config key 'sjltNonzeros' must be in [1, 10]"), o.err);
    List<Map<String, String>> rows = rows(dir.resolve("scan-local.csv"));
    assertEquals(List.of("sjlt/10/failed", "sjlt/50/ok", "crs/10/ok", "crs/50/ok"), rows.stream()
        .map(r -> r.get("algo") + "/" + r.get("sketch") + "/" + r.get("status")).collect(Collectors.toList()));
    Map<String, String> failed = rows.get(0);
    assertTrue(failed.get("message").startsWith("\"config key 'sjltNonzeros' must be in [1, 10]"), failed.toString());
    assertTrue(Double.isNaN(num(failed, "fro_error")) && failed.get("millis").equals("-1"));
    for (Map<String, String> ok : rows.subList(1, rows.size())) {
      assertTrue(num(ok, "fro_error") > 0 && num(ok, "fro_error") < 3, ok.toString());
    }
    String md = Files.readString(dir.resolve("scan-local.md"));
    assertTrue(md.contains("| `sjlt` | failed [1] |"), md);
    assertTrue(md.contains("- [1] config key 'sjltNonzeros' must be in [1, 10]"), md);
    assertTrue(Files.size(dir.resolve("scan-local.png")) > 10_000);
  }

  @Test
  void speedReportsColdAndWarmTrialsOnBothEnginesWithTheSameErrors() throws IOException {
    SharedSpark.session();
    long cachedBefore = cachedByUs();
    MainTest.Outcome o = MainTest.run("experiment", "speed", "--engine", "spark,local", "--size", "600,24,16",
        "--sketch", "8", "--algo", "mm,countSketch,int8_fp64", "--trials", "1", "--block-size", "128", "--out",
        dir.toString());
    assertEquals(0, o.status, o.err);
    assertEquals(cachedBefore, cachedByUs(), "the experiment released what it cached");
    List<Map<String, String>> rows = rows(dir.resolve("speed-spark-local.csv"));
    // Per engine and algorithm: one cold trial (for mm the reference product; int8_fp64, exact too, its own
    // first run), then the warm one.
    List<String> order = rows.stream().map(r -> r.get("engine") + "/" + r.get("algo") + "/" + r.get("cold"))
        .collect(Collectors.toList());
    assertEquals(List.of("spark/mm/1", "spark/mm/0", "spark/countSketch/1", "spark/countSketch/0",
        "spark/int8_fp64/1", "spark/int8_fp64/0", "local/mm/1", "local/mm/0", "local/countSketch/1",
        "local/countSketch/0", "local/int8_fp64/1", "local/int8_fp64/0"), order);
    assertTrue(o.err.contains("on spark: exact product (reference) " + rows.get(0).get("millis") + " ms"), o.err);
    for (int i = 0; i < 6; i++) { // same seeds, same sketches: the same error on both engines
      assertEquals(num(rows.get(i + 6), "fro_error"), num(rows.get(i), "fro_error"), 1e-9, order.get(i));
    }
    assertEquals(rows.get(3).get("seed"), rows.get(2).get("seed"), "the cold trial repeats trial 0's seed");
    assertEquals(num(rows.get(3), "fro_error"), num(rows.get(2), "fro_error"), 1e-15, "and its product");
    assertTrue(Long.parseLong(rows.get(1).get("shuffle_bytes")) > 0, "Spark's exact product shuffles");
    String md = Files.readString(dir.resolve("speed-spark-local.md"));
    assertTrue(md.contains("| algorithm | l | Spark (ms) | speed-up | cold (ms) | local (ms) | speed-up | cold (ms)"
        + " | rel. error | theory | shuffle |"), md);
    assertTrue(md.contains("| `mm` | – | ") && md.contains("| `int8_fp64` | – | ") && !md.contains("failed"), md);
    assertTrue(md.lines().anyMatch(line -> line.startsWith("| `countSketch` | 8 | ")), md);
    byte[] png = Files.readAllBytes(dir.resolve("speed-spark-local.png"));
    assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(png, 8));
  }

  @Test
  void badOptionsFailWithOneLineAndWriteNothing() throws IOException {
    Path out = dir.resolve("out");
    Path file = dir.resolve("a-file");
    Files.writeString(file, "x");
    String o = out.toString();
    String[][] cases = {
        {"experiment"},
        {"experiment", "--engine", "local"},
        {"experiment", "nosuch"},
        {"experiment", "scan", "--bogus", "1", "--out", o},
        {"experiment", "scan", "extra", "--out", o},
        {"experiment", "scan", "--trials", "0", "--out", o},
        {"experiment", "scan", "--trials", "two", "--out", o},
        {"experiment", "scan", "--sketch", "10,0", "--out", o},
        {"experiment", "scan", "--sketch", "10,a", "--out", o},
        {"experiment", "scan", "--engine", "gpu", "--out", o},
        {"experiment", "scan", "--engine", "local,local", "--out", o},
        {"experiment", "scan", "--algo", "countSketch,nosuch", "--out", o},
        {"experiment", "scan", "--engine", "local", "--size", "0", "--out", o},
        {"experiment", "scan", "--engine", "local", "--size", "20,30", "--out", o},
        {"experiment", "scan", "--engine", "local", "--size", "a", "--out", o},
        {"experiment", "speed", "--engine", "local", "--size", "100", "--out", o},
        {"experiment", "speed", "--engine", "local", "--size", "1,2,3,4", "--out", o},
        {"experiment", "scan", "--engine", "local", "--set", "algoDelta=2", "--algo", "tugOfWar", "--out", o},
        {"experiment", "scan", "--engine", "local", "--size", "20", "--out", file.toString()},
    };
    String[] messages = {"name the experiment to run (scan, speed, pca, cca)", "name the experiment to run",
        "unknown experiment 'nosuch'; experiments: scan, speed", "unknown option --bogus",
        "unexpected argument 'extra'", "--trials must be at least 1", "--trials must be an integer",
        "--sketch sizes must be at least 1", "--sketch must be an integer", "--engine must be spark, local or spark,local",
        "--engine names local twice", "unknown algorithm 'nosuch'; valid tags: mm,", "--size values must be in [1,",
        "--size must be N (A, B N x N) or M,N,P", "--size must be an integer", "--size must be ROWS,COLS",
        "--size must be ROWS,COLS", "algoDelta", "is not a directory"};
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

  @Test
  void theHelpListsTheExperiments() {
    MainTest.Outcome o = MainTest.run("help");
    assertTrue(o.out.contains("experiment NAME") && o.out.contains("scan ") && o.out.contains("speed "), o.out);
  }

  /**
   * Cached RDDs, less MLlib's own: BlockMatrix.multiply (the exact product) caches a private
   * {@code blockInfo} of each operand, which only Spark's ContextCleaner releases, once the operand
   * is unreachable.
   */
  private static long cachedByUs() {
    return SharedSpark.jsc().sc().getPersistentRDDs().values().count(rdd -> !rdd.toString().contains("BlockMatrix.scala"));
  }
}
