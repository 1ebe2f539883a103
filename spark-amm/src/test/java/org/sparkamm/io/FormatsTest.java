package org.sparkamm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.NpyTest;
import org.sparkamm.error.AmmFormatException;

/** Matrix Market, IDX, TEXMEX vecs and .npz: layouts, cross-checks, and files that lie. */
public class FormatsTest {
  @TempDir
  Path dir;

  private Path text(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  private Path bytes(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  static void assertFails(Path p, String fragment) {
    AmmFormatException e = assertThrows(AmmFormatException.class, () -> MatrixFiles.read(p, null));
    assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void matrixMarketFixtureIsSymmetric() {
    DenseMatrix m = MatrixMarket.read(TorchFileTest.FIXTURES.resolve("toy.mtx"));
    assertEquals(4, m.numRows());
    assertEquals(0.11111111111111, m.apply(0, 1), 1e-14);
    assertEquals(0.11111111111111, m.apply(1, 0), 1e-14);
    assertEquals(0.52958768673200, m.apply(3, 3), 1e-14);
    assertEquals(0.0, m.apply(2, 0));
  }

  @Test
  void matrixMarketVariantsAgree() throws IOException {
    // The 3x3 matrix [[1, 0, -2], [0, 3, 0], [2, 0, 0]] four ways; and a skew/pattern/array-symmetric set.
    DenseMatrix general = MatrixMarket.read(text("g.mtx", "%%MatrixMarket matrix coordinate real general\n"
        + "% a comment\n\n3 3 4\n1 1 1.0\n% comment between entries\n2 2 3\n3 1 2\n1 3 -2e0\n"));
    DenseMatrix array = MatrixMarket.read(text("a.mtx", "%%MatrixMarket matrix array integer general\n3 3\n"
        + "1\n0\n2\n0\n3\n0\n-2\n0\n0\n"));
    assertArrayEquals(general.toArray(), array.toArray());
    assertArrayEquals(new double[] {1, 0, 2, 0, 3, 0, -2, 0, 0}, general.toArray());
    DenseMatrix skew = MatrixMarket.read(text("s.mtx", "%%MatrixMarket matrix coordinate real skew-symmetric\n"
        + "3 3 1\n3 1 2.5\n"));
    assertEquals(2.5, skew.apply(2, 0));
    assertEquals(-2.5, skew.apply(0, 2));
    DenseMatrix pattern = MatrixMarket.read(text("p.mtx", "%%MatrixMarket matrix coordinate pattern symmetric\n"
        + "2 2 2\n1 1\n2 1\n"));
    assertArrayEquals(new double[] {1, 1, 1, 0}, pattern.toArray());
    DenseMatrix arraySym = MatrixMarket.read(text("as.mtx", "%%MatrixMarket matrix array real symmetric\n"
        + "2 2\n1\n2\n3\n"));
    assertArrayEquals(new double[] {1, 2, 2, 3}, arraySym.toArray());
  }

  @Test
  void matrixMarketErrorsNameTheLine() throws IOException {
    String h = "%%MatrixMarket matrix coordinate real general\n";
    assertFails(text("e1.mtx", h + "2 2 2\n1 1 1\n"), "truncated (2 entries declared, 1 found)");
    assertFails(text("e2.mtx", h + "2 2 1\n1 1 1\n2 2 2\n"), ":4: more entries than the 1 declared");
    assertFails(text("e3.mtx", h + "2 2 1\n3 1 1\n"), ":3: index (3, 1) is outside the 2x2 matrix");
    assertFails(text("e4.mtx", h + "2 2 1\n1 1 abc\n"), ":3: 'abc' is not a finite number");
    assertFails(text("e5.mtx", h + "2 2 1\n1 1\n"), ":3: malformed entry '1 1'");
    assertFails(text("e6.mtx", h + "100000 100000 1\n1 1 1\n"), "too large for one local matrix");
    assertFails(text("e7.mtx", h + "0 2 5\n"), "5 entries cannot fit a 0x2 matrix");
    assertFails(text("e8.mtx", "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n"),
        "unsupported field 'complex'");
    assertFails(text("e9.mtx", "%%MatrixMarket matrix coordinate real symmetric\n2 3 1\n1 2 1\n"),
        "a symmetric matrix must be square, got 2x3");
    assertFails(text("e10.mtx", "%%MatrixMarket matrix coordinate real general\n"), "no size line");
  }

  /** The closed-form position of the t-th stored value equals walking the stored triangle column by column. */
  @Test
  void arrayPositionsOfSymmetricStorage() throws IOException {
    for (String sym : new String[] {"symmetric", "skew-symmetric", "general"}) {
      Path p = text(sym + ".mtx", "%%MatrixMarket matrix array real " + sym + "\n57 57\n");
      MatrixMarket.Header h;
      try (java.io.InputStream in = Files.newInputStream(p)) {
        h = MatrixMarket.header(in, p.toString());
      }
      long t = 0;
      for (int j = 0; j < 57; j++) {
        for (int i = sym.equals("general") ? 0 : sym.equals("symmetric") ? j : j + 1; i < 57; i++, t++) {
          assertArrayEquals(new long[] {i, j}, h.arrayPosition(t), sym + " value " + t);
        }
      }
      assertEquals(h.entries, t);
    }
  }

  public static byte[] idx(int type, int[] dims, byte[] data) {
    ByteBuffer bb = ByteBuffer.allocate(4 + 4 * dims.length + data.length).order(ByteOrder.BIG_ENDIAN);
    bb.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
    for (int d : dims) {
      bb.putInt(d);
    }
    return bb.put(data).array();
  }

  @Test
  void idxImagesBecomeRows() throws IOException {
    byte[] px = new byte[2 * 2 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (250 + i);
    }
    DenseMatrix m = Idx.read(bytes("img.idx3", idx(0x08, new int[] {2, 2, 3}, px)));
    assertEquals(2, m.numRows());
    assertEquals(6, m.numCols());
    assertEquals(250, m.apply(0, 0));
    assertEquals(255, m.apply(0, 5));
    assertEquals(5, m.apply(1, 5)); // (byte) (250 + 11) read back as an unsigned byte
  }

  @Test
  void idxLiesAreCaught() throws IOException {
    assertFails(bytes("t.idx", idx(0x08, new int[] {60000, 28, 28}, new byte[100])), "truncated file (header promises 47040000 data bytes, the file holds 100)");
    assertFails(bytes("o.idx", idx(0x0E, new int[] {-1, -1, -1, -1}, new byte[0])), "overflow");
    Path bad = bytes("b.idx", new byte[] {0, 0, 0x08, 0, 0, 0, 0, 1});
    assertThrows(AmmFormatException.class, () -> Idx.read(bad));
  }

  public static byte[] fvecs(float[][] rows) {
    ByteBuffer bb = ByteBuffer.allocate(rows.length * (4 + 4 * rows[0].length)).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] r : rows) {
      bb.putInt(r.length);
      for (float x : r) {
        bb.putFloat(x);
      }
    }
    return bb.array();
  }

  @Test
  void vecsAndNpyAgreeOnTheSameData() throws IOException {
    float[][] rows = {{1, 2, 3}, {4, 5, 6}};
    DenseMatrix f = MatrixFiles.read(bytes("x.fvecs", fvecs(rows)), null).matrix;
    byte[] i4 = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putInt(3).putInt(1).putInt(2).putInt(3)
        .putInt(3).putInt(4).putInt(5).putInt(6).array();
    DenseMatrix iv = MatrixFiles.read(bytes("x.ivecs", i4), null).matrix;
    byte[] b = {3, 0, 0, 0, 1, 2, 3, 3, 0, 0, 0, 4, 5, 6};
    DenseMatrix bv = MatrixFiles.read(bytes("x.bvecs", b), null).matrix;
    DenseMatrix npy = MatrixFiles.read(bytes("x.npy", NpyTest.npy(1, "<f8", false, "2, 3",
        NpyTest.doubles(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6))), null).matrix;
    DenseMatrix mtx = MatrixFiles.read(text("x.mtx", "%%MatrixMarket matrix array real general\n2 3\n1\n4\n2\n5\n3\n6\n"),
        null).matrix;
    for (DenseMatrix m : new DenseMatrix[] {f, iv, bv, mtx}) {
      assertArrayEquals(npy.toArray(), m.toArray());
    }
    assertFails(bytes("r.fvecs", java.util.Arrays.copyOf(fvecs(rows), 30)), "not a whole number of 16-byte records");
    byte[] ragged = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN).putInt(2).putFloat(1).putFloat(2)
        .putInt(3).putFloat(1).putFloat(2).putFloat(3).array();
    assertFails(bytes("g.fvecs", java.util.Arrays.copyOf(ragged, 24)), "record 1 has dimension 3, the first has 2");
  }

  @Test
  void npzByName() throws IOException {
    Path p = dir.resolve("x.npz");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
      z.putNextEntry(new ZipEntry("A.npy"));
      z.write(NpyTest.npy(1, "<f8", false, "1, 2", NpyTest.doubles(ByteOrder.LITTLE_ENDIAN, 7, 8)));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("B.npy"));
      z.write(NpyTest.npy(1, "<f8", true, "2, 1", NpyTest.doubles(ByteOrder.LITTLE_ENDIAN, 9, 10)));
      z.closeEntry();
    }
    assertArrayEquals(new double[] {7, 8}, MatrixFiles.read(p, "A").matrix.toArray());
    assertArrayEquals(new double[] {9, 10}, MatrixFiles.read(p, "B").matrix.toArray());
    AmmFormatException e = assertThrows(AmmFormatException.class, () -> MatrixFiles.read(p, null));
    assertTrue(e.getMessage().contains("holds 2 arrays (A, B); name one with --key"), e.getMessage());
    e = assertThrows(AmmFormatException.class, () -> MatrixFiles.read(p, "C"));
    assertTrue(e.getMessage().contains("no array named 'C'; arrays: A, B"), e.getMessage());
  }

  @Test
  void unknownFormatsAndMisplacedKeys() throws IOException {
    assertFails(text("x.csv", "1,2\n3,4\n"), "unrecognized file format (supported: .npy, .npz");
    AmmFormatException e = assertThrows(AmmFormatException.class,
        () -> MatrixFiles.read(TorchFileTest.FIXTURES.resolve("toy.mtx"), "A"));
    assertTrue(e.getMessage().contains("--key applies to .npz and PyTorch files only"), e.getMessage());
    assertEquals(MatrixFiles.Format.TORCH, MatrixFiles.detect(TorchFileTest.FIXTURES.resolve("prototypes.pt")));
  }
}
