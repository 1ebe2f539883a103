package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.error.AmmFormatException;
import org.sparkamm.io.LoadedMatrix;
import org.sparkamm.io.Npy;

/** .npy reading and writing: every layout and dtype NumPy writes, and every way a file can lie. */
public class NpyTest {
  @TempDir
  Path dir;

  /** A .npy file as NumPy would write it, built by hand from the format specification. */
  public static byte[] npy(int major, String descr, boolean fortran, String shape, byte[] data) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': ("
        + shape + "), }";
    int lenBytes = major == 1 ? 2 : 4;
    int total = 6 + 2 + lenBytes + dict.length() + 1;
    int pad = (64 - total % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer bb = ByteBuffer.allocate(6 + 2 + lenBytes + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
    bb.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      bb.putShort((short) header.length());
    } else {
      bb.putInt(header.length());
    }
    bb.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
    return bb.array();
  }

  public static byte[] doubles(ByteOrder order, double... v) {
    ByteBuffer bb = ByteBuffer.allocate(8 * v.length).order(order);
    for (double x : v) {
      bb.putDouble(x);
    }
    return bb.array();
  }

  private Path file(byte[] content) throws IOException {
    Path p = Files.createTempFile(dir, "m", ".npy");
    Files.write(p, content);
    return p;
  }

  @Test
  void readsCAndFortranOrderAndBothByteOrders() throws IOException {
    // The 2 x 3 matrix [[1, 2, 3], [4, 5, 6]].
    double[] expected = {1, 4, 2, 5, 3, 6}; // column-major
    LoadedMatrix c = Npy.read(file(npy(1, "<f8", false, "2, 3", doubles(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6))));
    LoadedMatrix f = Npy.read(file(npy(2, "<f8", true, "2, 3", doubles(ByteOrder.LITTLE_ENDIAN, 1, 4, 2, 5, 3, 6))));
    LoadedMatrix big = Npy.read(file(npy(3, ">f8", false, "2, 3", doubles(ByteOrder.BIG_ENDIAN, 1, 2, 3, 4, 5, 6))));
    for (LoadedMatrix x : new LoadedMatrix[] {c, f, big}) {
      assertEquals(2, x.matrix.numRows());
      assertEquals(3, x.matrix.numCols());
      assertArrayEquals(expected, x.matrix.toArray());
      assertFalse(x.float32);
    }
  }

  @Test
  void readsFloat32AndIntegers() throws IOException {
    ByteBuffer f = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f);
    LoadedMatrix a = Npy.read(file(npy(1, "<f4", false, "1, 2", f.array())));
    assertTrue(a.float32);
    assertArrayEquals(new double[] {1.5, -2}, a.matrix.toArray());
    LoadedMatrix u8 = Npy.read(file(npy(1, "|u1", false, "2, 1", new byte[] {(byte) 255, 7})));
    assertArrayEquals(new double[] {255, 7}, u8.matrix.toArray());
    ByteBuffer i4 = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(-3).putInt(1 << 20);
    assertArrayEquals(new double[] {-3, 1 << 20}, Npy.read(file(npy(1, ">i4", false, "2, 1", i4.array()))).matrix.toArray());
  }

  @Test
  void roundTripsInBothLayoutsAndPrecisions() throws IOException {
    DenseMatrix m = TestMatrices.gaussian(5, 3, 1);
    for (DenseMatrix x : new DenseMatrix[] {m, TestMatrices.rowMajor(m)}) {
      Path p = dir.resolve("x.npy");
      Npy.write(p, x, false);
      assertArrayEquals(m.toArray(), Npy.read(p).matrix.toArray());
      assertEquals(0, (Files.size(p) - 8 * 15) % 64); // header padded to 64 bytes as NumPy does
      Npy.write(p, x, true);
      LoadedMatrix f = Npy.read(p);
      assertTrue(f.float32);
      double[] v = m.toArray();
      for (int i = 0; i < v.length; i++) {
        assertEquals((float) v[i], f.matrix.toArray()[i]);
      }
    }
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary files left behind");
    }
  }

  @Test
  void refusesFilesThatLie() throws IOException {
    byte[] good = npy(1, "<f8", false, "2, 3", doubles(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6));
    assertMessage(file(Arrays.copyOf(good, good.length - 5)), "truncated .npy file (shape 2x3 needs 48 data bytes, the file holds 43)");
    assertMessage(file(Arrays.copyOf(good, 7)), "truncated .npy file");
    byte[] bad = good.clone();
    bad[1] = 'X';
    assertMessage(file(bad), "not a .npy file (bad magic number)");
    assertMessage(file(npy(1, "<f8", false, "200000, 200000", new byte[0])), "truncated .npy file (shape 200000x200000 needs 320000000000");
    assertMessage(file(npy(1, "<f8", false, "2000000000, 2000000000", new byte[0])), "shape 2000000000x2000000000 overflows");
    assertMessage(file(npy(1, "<f8", false, "9223372036854775807, 3", new byte[0])), "shape 9223372036854775807x3 overflows");
    assertMessage(file(npy(1, "<c16", false, "1, 1", new byte[16])), "unsupported dtype '<c16'");
    assertMessage(file(npy(1, "<f8", false, "6,", doubles(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6))), "expected a 2-D array, got shape (6,)");
    assertMessage(file(npy(1, "<f8", false, "1, 1", new byte[16])), "8 unexpected bytes after the 1x1 array");
    assertMessage(file(npy(9, "<f8", false, "1, 1", new byte[8])), "unsupported .npy format version 9.0");
    byte[] hugeHeader = good.clone();
    hugeHeader[8] = (byte) 0xff;
    hugeHeader[9] = (byte) 0xff;
    assertMessage(file(hugeHeader), "header length 65535 exceeds the file size");
    assertMessage(dir.resolve("missing.npy"), "no such file");
  }

  private static void assertMessage(Path p, String fragment) {
    AmmFormatException e = assertThrows(AmmFormatException.class, () -> Npy.read(p));
    assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  /** A writer that fails with an unchecked exception (a bad value, a Spark job) leaves no temporary file either. */
  @Test
  void aWriterThatThrowsLeavesNoTemporaryFile() throws IOException {
    Path target = dir.resolve("c.npy");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> org.sparkamm.io.AtomicFile.write(target,
        out -> {
          out.write(new byte[100]);
          throw new IllegalStateException("the content failed half way");
        }));
    assertEquals("the content failed half way", e.getMessage());
    try (java.util.stream.Stream<Path> left = Files.list(dir)) {
      assertEquals(java.util.List.of(), left.collect(java.util.stream.Collectors.toList()));
    }
  }

  @Test
  void writeFailureLeavesNothing() {
    Path target = dir.resolve("no-such-dir").resolve("c.npy");
    assertThrows(AmmFormatException.class, () -> Npy.write(target, TestMatrices.gaussian(2, 2, 1), false));
    assertFalse(Files.exists(target));
  }
}
