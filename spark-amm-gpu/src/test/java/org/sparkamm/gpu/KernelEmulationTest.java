package org.sparkamm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.random.DenseColumns;
import org.sparkamm.random.DenseColumns.Entries;
import org.sparkamm.random.Ziggurat;

/**
 * The CUDA kernels' own source, compiled for the CPU by g++ with src/test/cuda/emulate.cpp (one
 * std::thread per CUDA thread, the DMMA fragment exchange emulated with the PTX ISA's layout) and run
 * against exact references: every GEMM kernel on ragged 2 x 2-tile shapes with all four transposes,
 * offsets, leading dimensions and alpha/beta (beta = 0 with NaN in C), the scatter bit-identical to
 * the CPU loop, and the dense sketch generators against {@link DenseColumns}, the CPU's definition.
 * Checks the kernels' arithmetic where no GPU is (skipped without g++); the GPU tests check the rest.
 */
class KernelEmulationTest {
  private static final Path MODULE = Path.of(System.getProperty("sparkamm.gpu.moduleDir", System.getProperty("user.dir")));
  @TempDir
  static Path dir;
  private static Path binary;

  @BeforeAll
  static void compile() throws Exception {
    Assumptions.assumeTrue(PtxTest.onPath("g++"), "g++ is not on PATH");
    binary = dir.resolve("emulate");
    assertEquals("", run("g++", "-std=c++20", "-O1", "-pthread", "-ffp-contract=off",
        MODULE.resolve("src/test/cuda/emulate.cpp").toString(), "-o", binary.toString()));
  }

  @Test
  void kernelsComputeTheExactProductsOnTheEmulator() throws Exception {
    System.out.print(run(binary.toString()));
  }

  /**
   * The device generators against the CPU's columns, entry by entry: Rademacher bit for bit (integer
   * steps and a sign flip), Gaussian bit for bit except a tail draw beyond R, whose value goes through
   * log (the C library's here, the device's on a GPU): within 4 ulps there. (A wedge test's exp only
   * decides, and would flip a decision only within ~1e-16 of the boundary.)
   * A 64-bit start index, widths around the 64-entry word, column signs on and off, a scale of
   * 1/sqrt(unit) with unit != l (tugOfWar's); the Gaussian case holds tail draws (|z| > R), checked.
   */
  @Test
  void denseSketchColumnsAreTheCpusOnTheEmulator() throws Exception {
    Path tables = dir.resolve("tables");
    double[] edges = Ziggurat.layerEdges();
    double[] ratios = Ziggurat.acceptRatios();
    ByteBuffer bytes = ByteBuffer.allocate(8 * (edges.length + ratios.length)).order(ByteOrder.nativeOrder());
    bytes.asDoubleBuffer().put(edges).put(ratios);
    Files.write(tables, bytes.array());
    long start = (1L << 40) + 7;
    for (int width : new int[] {1, 63, 64, 65, 130}) {
      check(new DenseColumns(Entries.RADEMACHER, 42, width, width % 2 == 1, 1 / Math.sqrt(width)), start, 37, tables);
    }
    int tails = check(new DenseColumns(Entries.GAUSSIAN, 7, 300, false, 1 / Math.sqrt(100)), start, 100, tables)
        + check(new DenseColumns(Entries.GAUSSIAN, 8, 65, true, 0.5), 3, 33, tables);
    assertTrue(tails > 0, "no tail draw among the Gaussian cases: the tail path went unchecked");
  }

  /** Generates the slice on the emulator and compares it with the CPU's; returns the Gaussian tail draws seen. */
  private static int check(DenseColumns s, long start, int len, Path tables) throws Exception {
    Path out = dir.resolve("out");
    int l = s.width();
    run(binary.toString(), "dense", s.entries() == Entries.GAUSSIAN ? "1" : "0", Integer.toString(l), Long.toString(start),
        Integer.toString(len), Long.toUnsignedString(s.key()), Long.toUnsignedString(s.signKey()), s.columnSigns() ? "1" : "0",
        Double.toHexString(s.scale()), tables.toString(), out.toString());
    double[] device = new double[len * l];
    ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.nativeOrder()).asDoubleBuffer().get(device);
    double[] column = new double[l];
    int differing = 0;
    int tails = 0;
    for (int j = 0; j < len; j++) {
      s.column(start + j, column, 0);
      for (int t = 0; t < l; t++) {
        double d = device[j + t * len]; // the kernels store S's slice transposed
        String where = s.entries() + " l=" + l + " column " + (start + j) + " entry " + t;
        if (s.entries() == Entries.RADEMACHER) {
          assertEquals(Double.doubleToRawLongBits(column[t]), Double.doubleToRawLongBits(d), where);
        } else if (Math.abs(column[t] / s.scale()) > Ziggurat.layerEdges()[1]) { // a tail draw: log's last bits
          assertTrue(Math.abs(d - column[t]) <= 4 * Math.ulp(column[t]), where + " (tail): " + d + " vs CPU " + column[t]);
          differing += d == column[t] ? 0 : 1;
          tails++;
        } else { // accepted in a layer or a wedge: exact arithmetic on the same bits
          assertEquals(Double.doubleToRawLongBits(column[t]), Double.doubleToRawLongBits(d), where);
        }
      }
    }
    System.out.printf("dense %s l=%d len=%d: %s%s%n", s.entries(), l, len,
        differing == 0 ? "bit-identical to the CPU" : differing + " entries differ in their last bits",
        s.entries() == Entries.GAUSSIAN ? " (" + tails + " tail draws)" : "");
    return tails;
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + output);
    return output;
  }
}
