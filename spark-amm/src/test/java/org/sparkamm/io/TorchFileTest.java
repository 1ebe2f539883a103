package org.sparkamm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.error.AmmFormatException;
import org.sparkamm.io.torch.Tensor;
import org.sparkamm.io.torch.TorchFile;

/** PyTorch files without PyTorch: LibAMM's real TorchScript fixtures, hand-built archives, hostile pickles. */
class TorchFileTest {
  static final Path FIXTURES = Path.of("..", "..", "shared", "fixtures", "libamm");

  @TempDir
  Path dir;

  /** Float32 little-endian values of a storage entry, read directly: the obvious reference. */
  private static float[] rawFloats(Path file, String entry) throws IOException {
    try (ZipFile z = new ZipFile(file.toFile())) {
      byte[] b = z.getInputStream(z.getEntry(entry)).readAllBytes();
      ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
      float[] f = new float[b.length / 4];
      for (int i = 0; i < f.length; i++) {
        f[i] = bb.getFloat();
      }
      return f;
    }
  }

  @Test
  void readsLibAmmsTorchScriptPrototypes() throws IOException {
    Path file = FIXTURES.resolve("prototypes.pt");
    TorchFile t = TorchFile.read(file);
    assertEquals(java.util.List.of("prototypes", "QA"), t.names());
    Tensor p = t.tensor("prototypes");
    assertArrayEquals(new long[] {10, 16, 100}, p.shape);
    assertEquals("float32", p.dtype);
    float[] raw = rawFloats(file, "prototypes/data/0");
    assertEquals(raw.length, p.values.length);
    for (int i = 0; i < raw.length; i++) {
      assertEquals(raw[i], p.values[i]);
    }
    Tensor qa = t.tensor("QA");
    assertArrayEquals(new long[] {5, 5}, qa.shape);
    assertEquals(5, qa.toMatrix(file.toString()).numRows());
    assertEquals(160, p.toMatrix(file.toString()).numRows()); // leading dimensions folded into rows
    Tensor small = TorchFile.read(FIXTURES.resolve("pq_prototypes.pt")).tensor("prototypes");
    assertEquals(1600, small.values.length);
  }

  @Test
  void aModuleWithoutTensorsSaysSo() {
    TorchFile t = TorchFile.read(FIXTURES.resolve("countsketch_module.pt"));
    AmmFormatException e = assertThrows(AmmFormatException.class, () -> t.tensor("prototypes"));
    assertTrue(e.getMessage().endsWith("no tensor named 'prototypes'; the file holds no tensors"), e.getMessage());
  }

  /** Pickle protocol 2 opcodes for hand-built archives. */
  static final class P {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    P op(int... bytes) {
      for (int b : bytes) {
        out.write(b);
      }
      return this;
    }

    P str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op('X').op(b.length & 0xff, (b.length >> 8) & 0xff, 0, 0);
      out.writeBytes(b);
      return this;
    }

    P global(String module, String name) {
      op('c');
      out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
      return this;
    }

    P small(int v) {
      return op('K', v);
    }

    /** rebuild_tensor_v2((storage, type, key, cpu, numel), offset, size, stride, False, OrderedDict()). */
    P tensor(String type, String key, int numel, int offset, int[] size, int[] stride) {
      return tensor(type, key, numel, offset, size, stride, false, null, 0, 0);
    }

    /**
     * A tensor whose persistent id is the legacy 6-tuple when {@code legacy}: its last item None,
     * or the view (viewKey, viewOffset, viewSize) when viewKey is given.
     */
    P tensor(String type, String key, int numel, int offset, int[] size, int[] stride, boolean legacy, String viewKey,
        int viewOffset, int viewSize) {
      global("torch._utils", "_rebuild_tensor_v2").op('(');
      op('(').str("storage").global("torch", type).str(key).str("cpu").small(numel);
      if (legacy) {
        if (viewKey == null) {
          op('N');
        } else {
          str(viewKey).small(viewOffset).small(viewSize).op(0x87);
        }
      }
      op('t').op('Q');
      small(offset).op('(');
      for (int s : size) {
        small(s);
      }
      op('t').op('(');
      for (int s : stride) {
        small(s);
      }
      op('t').op(0x89).global("collections", "OrderedDict").op(')').op('R').op('t').op('R');
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  private Path archive(byte[] pickle, String storageKey, byte[] storage) throws IOException {
    Path p = Files.createTempFile(dir, "t", ".pt");
    try (OutputStream os = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(os)) {
      z.putNextEntry(new ZipEntry("archive/data.pkl"));
      z.write(pickle);
      z.closeEntry();
      if (storage != null) {
        z.putNextEntry(new ZipEntry("archive/data/" + storageKey));
        z.write(storage);
        z.closeEntry();
      }
    }
    return p;
  }

  private static byte[] doubles(double... v) {
    ByteBuffer bb = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double x : v) {
      bb.putDouble(x);
    }
    return bb.array();
  }

  @Test
  void readsATorchSaveDictWithOffsetsAndStrides() throws IOException {
    // {'A': 2x3 view at offset 1, 'At': its transpose (strides (1, 3))} over one 7-element storage.
    P p = new P().op(0x80, 2).op('}').op('(');
    p.str("A").tensor("DoubleStorage", "0", 7, 1, new int[] {2, 3}, new int[] {3, 1});
    p.str("At").tensor("DoubleStorage", "0", 7, 1, new int[] {3, 2}, new int[] {1, 3});
    p.op('u').op('.');
    Path file = archive(p.bytes(), "0", doubles(0, 1, 2, 3, 4, 5, 6));
    TorchFile t = TorchFile.read(file);
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, t.tensor("A").values);
    assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, t.tensor("At").values);
    assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, t.tensor("A").toMatrix("x").toArray()); // column-major
  }

  /** A TorchScript-style module record (NEWOBJ of a __torch__ class, then BUILD) as LibAMM's MediaMill.pth. */
  @Test
  void mediaMillLoaderReadsModuleAttributes() throws IOException {
    P p = new P().op(0x80, 2).global("__torch__", "MediaMill").op(')').op(0x81).op('}').op('(');
    p.str("A").tensor("DoubleStorage", "0", 7, 0, new int[] {2, 3}, new int[] {3, 1});
    p.str("B").tensor("DoubleStorage", "0", 7, 6, new int[] {1, 1}, new int[] {1, 1});
    p.str("training").op(0x88).op('u').op('b').op('.');
    Path file = archive(p.bytes(), "0", doubles(0, 1, 2, 3, 4, 5, 6));
    org.sparkamm.loader.MatrixLoader l = org.sparkamm.loader.MatrixLoaders.create("MediaMill")
        .setConfig(new org.sparkamm.config.AmmConfig().edit("filePath", file.toString()));
    assertEquals(2, l.getA().numRows());
    assertEquals(3, l.getA().numCols());
    assertEquals(5.0, l.getA().apply(1, 2));
    assertEquals(6.0, l.getB().apply(0, 0));
  }

  @Test
  void refusesHostileAndBrokenFiles() throws IOException {
    byte[] evil = new P().op(0x80, 2).global("os", "system").str("touch /tmp/pwned").op(0x85).op('R').op('.').bytes();
    assertMessage(archive(evil, "0", null), "refuses to load the Python global 'os.system'");
    byte[] cls = new P().op(0x80, 2).global("torch.nn.modules.linear", "Linear").op(')').op(0x81).op('.').bytes();
    assertMessage(archive(cls, "0", null), "refuses to load the Python global 'torch.nn.modules.linear.Linear'");
    P past = new P().op(0x80, 2).op('}').str("A").tensor("DoubleStorage", "0", 4, 2, new int[] {2, 2}, new int[] {2, 1}).op('s').op('.');
    assertMessage(archive(past.bytes(), "0", doubles(0, 1, 2, 3)), "tensor 'A' reaches past the end of its storage (4 elements)");
    P shortStorage = new P().op(0x80, 2).op('}').str("A").tensor("DoubleStorage", "0", 4, 0, new int[] {4}, new int[] {1}).op('s').op('.');
    assertMessage(archive(shortStorage.bytes(), "0", doubles(0, 1)), "storage data/0 is truncated");
    assertMessage(archive(shortStorage.bytes(), "0", null), "storage data/0 of tensor 'A' is missing");
    assertMessage(archive(new byte[] {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, 0, 0}, "0", null), "runs past the end");
    Path notPt = dir.resolve("plain.zip");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(notPt))) {
      z.putNextEntry(new ZipEntry("readme.txt"));
      z.write(1);
    }
    assertMessage(notPt, "a zip archive without data.pkl is not a PyTorch file");
    Path text = dir.resolve("text.pt");
    Files.writeString(text, "hello");
    assertMessage(text, "not a PyTorch file (not a zip archive");
  }

  private static void assertMessage(Path p, String fragment) {
    AmmFormatException e = assertThrows(AmmFormatException.class, () -> TorchFile.read(p).tensor("A"));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
  }
}
