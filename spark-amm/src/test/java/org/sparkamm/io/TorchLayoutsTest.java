package org.sparkamm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.cli.Main;
import org.sparkamm.error.AmmFormatException;
import org.sparkamm.io.torch.Tensor;
import org.sparkamm.io.torch.TorchFile;

/**
 * PyTorch files as other machines and older PyTorch write them (big-endian archives, the legacy
 * pre-1.6 stream), and {@code convert}, which keeps a tensor's shape and dtype.
 */
class TorchLayoutsTest {
  @TempDir
  Path dir;

  private static byte[] bytes(ByteOrder order, int itemSize, double... v) {
    ByteBuffer bb = ByteBuffer.allocate(itemSize * v.length).order(order);
    for (double x : v) {
      if (itemSize == 8) {
        bb.putDouble(x);
      } else {
        bb.putFloat((float) x);
      }
    }
    return bb.array();
  }

  private Path zip(String name, Map<String, byte[]> entries) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream os = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(os)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return p;
  }

  /** {'A': a 2x2 float64 tensor over storage 0} as torch.save writes it, with the given byteorder record (or none). */
  private Path archive(String name, String byteorder, byte[] storage) throws IOException {
    TorchFileTest.P p = new TorchFileTest.P().op(0x80, 2).op('}').str("A")
        .tensor("DoubleStorage", "0", 4, 0, new int[] {2, 2}, new int[] {2, 1}).op('s').op('.');
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("archive/data.pkl", p.bytes());
    if (byteorder != null) {
      entries.put("archive/byteorder", byteorder.getBytes(StandardCharsets.US_ASCII));
    }
    entries.put("archive/data/0", storage);
    return zip(name, entries);
  }

  @Test
  void honoursTheByteorderRecord() throws IOException {
    double[] expected = {1.5, -2, 1e300, 0.1};
    byte[] big = bytes(ByteOrder.BIG_ENDIAN, 8, expected);
    assertArrayEquals(expected, TorchFile.read(archive("big.pt", "big", big)).tensor("A").values);
    byte[] little = bytes(ByteOrder.LITTLE_ENDIAN, 8, expected);
    assertArrayEquals(expected, TorchFile.read(archive("little.pt", "little", little)).tensor("A").values);
    assertArrayEquals(expected, TorchFile.read(archive("none.pt", null, little)).tensor("A").values); // no record: little
    Path odd = archive("odd.pt", "middle", little);
    AmmFormatException e = assertThrows(AmmFormatException.class, () -> TorchFile.read(odd));
    assertEquals(odd + ": unknown byte order 'middle' in its byteorder record (PyTorch writes little or big)", e.getMessage());
  }

  /** A legacy torch.save stream, pickle by pickle, then the storages as (int64 count, raw bytes). */
  static final class Legacy {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Legacy pickle(TorchFileTest.P p) {
      out.writeBytes(p.bytes());
      return this;
    }

    Legacy header() {
      // The magic number 0x1950a86a20f9469cfc6c (LONG1 of 10 bytes), the protocol version 1001 (BININT2),
      // then sys_info {'protocol_version': 1001, 'little_endian': True, 'type_sizes': {...}}.
      pickle(new TorchFileTest.P().op(0x80, 2).op(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19)
          .op('.'));
      pickle(new TorchFileTest.P().op(0x80, 2).op('M', 0xe9, 0x03).op('.'));
      return pickle(new TorchFileTest.P().op(0x80, 2).op('}').op('(').str("protocol_version").op('M', 0xe9, 0x03)
          .str("little_endian").op(0x88).str("type_sizes").op('}').op('(').str("short").small(2).str("int").small(4)
          .str("long").small(8).op('u').op('u').op('.'));
    }

    Legacy keys(String... keys) {
      TorchFileTest.P p = new TorchFileTest.P().op(0x80, 2).op(']').op('(');
      for (String k : keys) {
        p.str(k);
      }
      return pickle(p.op('e').op('.'));
    }

    Legacy storage(long count, byte[] data) {
      out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(count).array());
      out.writeBytes(data);
      return this;
    }
  }

  private static byte[] longs(long... v) {
    ByteBuffer bb = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long x : v) {
      bb.putLong(x);
    }
    return bb.array();
  }

  /**
   * OrderedDict{'w': 2x3 float64 at offset 1 of storage '140', 'wt': its transpose, 'idx': int64 (3,)
   * over a view [1, 4) of storage '7', 'mask': bool (2,)} with storages listed '140', '7', '9'.
   */
  private Path legacyFile(String name, long count140) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, legacyBytes(count140));
    return p;
  }

  static byte[] legacyBytes(long count140) {
    TorchFileTest.P main = new TorchFileTest.P().op(0x80, 2).global("collections", "OrderedDict").op(')').op('R')
        .op('(');
    main.str("w").tensor("DoubleStorage", "140", 7, 1, new int[] {2, 3}, new int[] {3, 1}, true, null, 0, 0);
    main.str("wt").tensor("DoubleStorage", "140", 7, 1, new int[] {3, 2}, new int[] {1, 3}, true, null, 0, 0);
    main.str("idx").tensor("LongStorage", "7", 5, 0, new int[] {3}, new int[] {1}, true, "7v", 1, 3);
    main.str("mask").tensor("BoolStorage", "9", 2, 0, new int[] {2}, new int[] {1}, true, null, 0, 0);
    main.op('u').op('.');
    Legacy l = new Legacy().header().pickle(main).keys("140", "7", "9")
        .storage(count140, bytes(ByteOrder.LITTLE_ENDIAN, 8, 0, 1, 2, 3, 4, 5, 6))
        .storage(5, longs(-1, -(1L << 40), 7, 1L << 53, 99))
        .storage(2, new byte[] {1, 2});
    return l.out.toByteArray();
  }

  @Test
  void readsTheLegacyFormat() throws IOException {
    Path p = legacyFile("legacy.pt", 7);
    TorchFile t = TorchFile.read(p);
    assertEquals(java.util.List.of("w", "wt", "idx", "mask"), t.names());
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, t.tensor("w").values);
    assertArrayEquals(new long[] {2, 3}, t.tensor("w").shape);
    assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, t.tensor("wt").values);
    assertArrayEquals(new double[] {-(1L << 40), 7, 1L << 53}, t.tensor("idx").values); // the view starts at element 1
    assertEquals("int64", t.tensor("idx").dtype);
    assertTrue(t.tensor("idx").isExact());
    assertArrayEquals(new double[] {1, 1}, t.tensor("mask").values); // bool: any nonzero byte is true
    assertEquals(MatrixFiles.Format.TORCH, MatrixFiles.detect(p));
    assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, MatrixFiles.read(p, "w").matrix.toArray());
  }

  @Test
  void refusesLegacyFilesThatLie() throws IOException {
    Path lying = legacyFile("lying.pt", 6);
    AmmFormatException e = assertThrows(AmmFormatException.class, () -> TorchFile.read(lying));
    assertEquals(lying + ": storage '140' holds 6 elements, its record says 7", e.getMessage());
    byte[] full = Files.readAllBytes(legacyFile("full.pt", 7));
    Path cut = dir.resolve("cut.pt");
    Files.write(cut, java.util.Arrays.copyOf(full, full.length - 3));
    e = assertThrows(AmmFormatException.class, () -> TorchFile.read(cut));
    assertTrue(e.getMessage().startsWith(cut + ": truncated legacy torch.save file (storage '9'"), e.getMessage());
    Path badMagic = dir.resolve("magic.pt");
    byte[] b = full.clone();
    b[13] ^= 1; // the last byte of the magic number: no longer recognized as legacy, nor as anything else
    Files.write(badMagic, b);
    e = assertThrows(AmmFormatException.class, () -> TorchFile.read(badMagic));
    assertTrue(e.getMessage().contains("not a PyTorch file (not a zip archive"), e.getMessage());
    Path view = dir.resolve("view.pt");
    TorchFileTest.P main = new TorchFileTest.P().op(0x80, 2).op('}').str("x")
        .tensor("LongStorage", "7", 5, 0, new int[] {3}, new int[] {1}, true, "7v", 3, 3).op('s').op('.');
    Files.write(view, new Legacy().header().pickle(main).keys("7").storage(5, longs(1, 2, 3, 4, 5)).out.toByteArray());
    e = assertThrows(AmmFormatException.class, () -> TorchFile.read(view));
    assertEquals(view + ": a view of storage '7' reaches past its 5 elements", e.getMessage());
  }

  @Test
  void int64BeyondTwoToThe53IsFlaggedAndConvertRefusesIt() throws IOException {
    TorchFileTest.P main = new TorchFileTest.P().op(0x80, 2).op('}').str("big")
        .tensor("LongStorage", "0", 2, 0, new int[] {2}, new int[] {1}, true, null, 0, 0).op('s').op('.');
    Path p = dir.resolve("big.pt");
    Files.write(p, new Legacy().header().pickle(main).keys("0").storage(2, longs(1, (1L << 53) + 1)).out.toByteArray());
    assertFalse(TorchFile.read(p).tensor("big").isExact());
    Outcome o = convert(p.toString(), dir.resolve("big.npy").toString());
    assertEquals(2, o.status);
    assertTrue(o.err.contains("tensor 'big' holds int64 values beyond 2^53"), o.err);
    assertFalse(Files.exists(dir.resolve("big.npy")));
  }

  /** What one CLI run printed and returned. */
  record Outcome(int status, String out, String err) {}

  static Outcome convert(String... files) {
    String[] argv = new String[files.length + 1];
    argv[0] = "convert";
    System.arraycopy(files, 0, argv, 1, files.length);
    return run(argv);
  }

  static Outcome run(String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The header dict and the data of a .npy file, as written. */
  static String npyHeader(byte[] file) {
    int len = (file[8] & 0xff) | (file[9] & 0xff) << 8;
    return new String(file, 10, len, StandardCharsets.ISO_8859_1).strip();
  }

  @Test
  void convertKeepsTheTensorsShapeAndDtype() throws IOException {
    Path pt = TorchFileTest.FIXTURES.resolve("prototypes.pt");
    Path out = dir.resolve("p.npy");
    Outcome o = convert(pt.toString(), out.toString(), "--key", "prototypes");
    assertEquals(0, o.status, o.err);
    assertTrue(o.out.contains("\"shape\":[10,16,100]") && o.out.contains("\"dtype\":\"float32\""), o.out);
    assertFalse(o.out.contains("\"rows\""), o.out);
    byte[] npy = Files.readAllBytes(out);
    assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (10, 16, 100), }", npyHeader(npy));
    assertEquals(0, (npy.length - 16000 * 4) % 64); // header padded to 64 bytes as NumPy does
    try (ZipFile z = new ZipFile(pt.toFile())) { // the storage's bytes, which are C-ordered little-endian float32
      byte[] raw = z.getInputStream(z.getEntry("prototypes/data/0")).readAllBytes();
      assertArrayEquals(raw, java.util.Arrays.copyOfRange(npy, npy.length - raw.length, npy.length));
    }
    // A legacy int64 view and a bool tensor keep their dtypes; a 2-D tensor also reports rows and cols.
    Path legacy = legacyFile("l.pt", 7);
    o = convert(legacy.toString(), dir.resolve("idx.npy").toString(), "--key", "idx");
    assertTrue(o.out.contains("\"shape\":[3],\"dtype\":\"int64\""), o.out);
    byte[] idx = Files.readAllBytes(dir.resolve("idx.npy"));
    assertEquals("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", npyHeader(idx));
    assertArrayEquals(longs(-(1L << 40), 7, 1L << 53), java.util.Arrays.copyOfRange(idx, idx.length - 24, idx.length));
    o = convert(legacy.toString(), dir.resolve("mask.npy").toString(), "--key", "mask");
    byte[] mask = Files.readAllBytes(dir.resolve("mask.npy"));
    assertEquals("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", npyHeader(mask));
    assertArrayEquals(new byte[] {1, 1}, java.util.Arrays.copyOfRange(mask, mask.length - 2, mask.length));
    o = convert(legacy.toString(), dir.resolve("w.npy").toString(), "--key", "w");
    assertTrue(o.out.contains("\"rows\":2,\"cols\":3,\"shape\":[2,3],\"dtype\":\"float64\""), o.out);
  }

  @Test
  void aModuleOfCodeOnlyHasNoTensorToConvert() {
    Path cs = TorchFileTest.FIXTURES.resolve("countsketch_module.pt");
    Outcome o = convert(cs.toString(), dir.resolve("c.npy").toString(), "--key", "prototypes");
    assertEquals(2, o.status);
    assertTrue(o.err.contains(cs + ": no tensor named 'prototypes'; the file holds no tensors"), o.err);
    o = convert(cs.toString(), dir.resolve("c.npy").toString());
    assertTrue(o.err.contains(cs + ": holds no tensors"), o.err);
    assertFalse(Files.exists(dir.resolve("c.npy")));
  }

  @Test
  void matrixReadersFoldLeadingDimensionsAndSaySo() {
    Path pt = TorchFileTest.FIXTURES.resolve("prototypes.pt");
    LoadedMatrix m = MatrixFiles.read(pt, "prototypes");
    assertEquals(160, m.matrix.numRows());
    assertEquals(100, m.matrix.numCols());
    assertEquals(pt + ": tensor 'prototypes' of shape (10, 16, 100) read as a 160x100 matrix (leading dimensions "
        + "folded into rows)", m.note);
    assertNull(MatrixFiles.read(pt, "QA").note);
    Tensor p = TorchFile.read(pt).tensor("prototypes");
    assertEquals(3, p.rank());
    // Element (c, k, d) of the codebook is values[(c * 16 + k) * 100 + d]; row c * 16 + k of the folded matrix.
    assertEquals(p.values[(7 * 16 + 3) * 100 + 42], m.matrix.apply(7 * 16 + 3, 42));
    // multiply's JSON line says so too.
    Path b = dir.resolve("b.npy");
    Npy.write(b, new long[] {100, 2}, new double[200], DType.F8);
    Outcome o = run("multiply", "--engine", "local", "--a", pt.toString(), "--key-a", "prototypes", "--b", b.toString(),
        "--algo", "mm", "--sketch", "1");
    assertEquals(0, o.status, o.err);
    assertTrue(o.out.contains("\"m\":160") && o.out.contains("\"inputNote\":\"" + m.note + "\""), o.out);
  }
}
