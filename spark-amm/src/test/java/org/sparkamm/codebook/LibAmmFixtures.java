package org.sparkamm.codebook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * LibAMM's shared fixtures, their raw float32 storages read straight from the zip (the obvious
 * reference, independent of the PyTorch reader), and hand-built TorchScript-style modules
 * ({@code hash.pt}, VQ/PQ {@code .pth}): a {@code __torch__} record whose attributes are tensors.
 */
final class LibAmmFixtures {
  private LibAmmFixtures() {}

  static Path dir() {
    return Path.of("..", "..", "shared", "fixtures", "libamm");
  }

  /** The float32 little-endian values of a storage entry of a fixture. */
  static float[] rawFloats(Path file, String entry) throws IOException {
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

  /** A TorchScript-style module of named tensors (float32, or int32 for {@link #ints}). */
  static final class Module {
    private final List<String> names = new ArrayList<>();
    private final List<long[]> shapes = new ArrayList<>();
    private final List<byte[]> storages = new ArrayList<>();
    private final List<String> types = new ArrayList<>();

    Module floats(String name, long[] shape, double... values) {
      ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      for (double v : values) {
        bb.putFloat((float) v);
      }
      return add(name, shape, "FloatStorage", bb.array());
    }

    Module ints(String name, long[] shape, int... values) {
      ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      for (int v : values) {
        bb.putInt(v);
      }
      return add(name, shape, "IntStorage", bb.array());
    }

    private Module add(String name, long[] shape, String type, byte[] storage) {
      names.add(name);
      shapes.add(shape);
      types.add(type);
      storages.add(storage);
      return this;
    }

    void write(Path file) throws IOException {
      ByteArrayOutputStream p = new ByteArrayOutputStream();
      p.write(new byte[] {(byte) 0x80, 2});
      global(p, "__torch__", "Container");
      p.write(new byte[] {')', (byte) 0x81, '}', '('});
      for (int t = 0; t < names.size(); t++) {
        str(p, names.get(t));
        global(p, "torch._utils", "_rebuild_tensor_v2");
        p.write('(');
        p.write('(');
        str(p, "storage");
        global(p, "torch", types.get(t));
        str(p, String.valueOf(t));
        str(p, "cpu");
        integer(p, storages.get(t).length / 4);
        p.write(new byte[] {'t', 'Q'});
        integer(p, 0);
        long[] shape = shapes.get(t);
        p.write('(');
        for (long s : shape) {
          integer(p, (int) s);
        }
        p.write('t');
        p.write('(');
        long stride = 1;
        long[] strides = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
          strides[d] = stride;
          stride *= shape[d];
        }
        for (long s : strides) {
          integer(p, (int) s);
        }
        p.write(new byte[] {'t', (byte) 0x89});
        global(p, "collections", "OrderedDict");
        p.write(new byte[] {')', 'R', 't', 'R'});
      }
      str(p, "training");
      p.write(new byte[] {(byte) 0x88, 'u', 'b', '.'});
      try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
        z.putNextEntry(new ZipEntry("container/data.pkl"));
        z.write(p.toByteArray());
        z.closeEntry();
        for (int t = 0; t < storages.size(); t++) {
          z.putNextEntry(new ZipEntry("container/data/" + t));
          z.write(storages.get(t));
          z.closeEntry();
        }
      }
    }

    private static void global(ByteArrayOutputStream p, String module, String name) {
      p.write('c');
      p.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void str(ByteArrayOutputStream p, String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      p.write('X');
      p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
      p.writeBytes(b);
    }

    private static void integer(ByteArrayOutputStream p, int v) {
      p.write('J');
      p.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }
  }
}
