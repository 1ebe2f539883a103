package org.sparkamm.io.torch;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.sparkamm.error.AmmFormatException;

/**
 * Reads the tensors of a PyTorch file without PyTorch, in the three layouts PyTorch writes:
 * <ul>
 *   <li>{@code torch.save} archives (PyTorch 1.6 and later) and TorchScript modules
 *       ({@code torch.jit.save}): zip files holding {@code <root>/data.pkl} (a pickle of the
 *       object), the raw storages {@code <root>/data/<key>}, and for {@code torch.save} a
 *       {@code <root>/byteorder} record ({@code little} or {@code big}; absent means little, as
 *       PyTorch assumes) in whose order the storages' bytes are read; any other value is refused;
 *   <li>legacy {@code torch.save} files (before 1.6, or {@code _use_new_zipfile_serialization=False}):
 *       five pickles one after another (the magic number 0x1950a86a20f9469cfc6c, the protocol
 *       version 1001, a sys_info dict, the object, the list of storage keys), then, for each key in
 *       that order, the storage's element count as a little-endian int64 and its raw little-endian
 *       bytes. Persistent ids there are {@code ('storage', type, key, location, numel, view)},
 *       where a view {@code (view_key, offset, size)} is a slice of the key's storage.
 * </ul>
 *
 * <p>The pickle is read by an allow-list interpreter ({@link Pickle}) that accepts only
 * {@code torch._utils._rebuild_tensor(_v2)}, {@code torch._utils._rebuild_parameter(_with_state)},
 * {@code torch._tensor._rebuild_from_type_v2}, the typed storage classes, {@code collections.OrderedDict}
 * and TorchScript's own {@code __torch__.*} module records (kept as plain attribute maps). Any
 * other global, e.g. a Python class of the user's or {@code os.system}, is refused: nothing in the
 * file is ever executed. A tensor's size, stride and offset are checked against its storage before
 * any element is read, and only the part of the storage the tensor spans is read.
 *
 * <p>Tensors are named by their path from the root object: attributes of a module or keys of a dict
 * ({@code prototypes}, {@code A}), joined with dots when nested ({@code layer.weight}); a file that
 * is one bare tensor names it {@code tensor}. Each keeps its shape ({@link Tensor}).
 */
public final class TorchFile {
  private static final long MAX_PICKLE = 64L << 20;
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
  /** The legacy format's magic number, as its pickle (LONG1) holds it: 10 bytes, little-endian. */
  private static final byte[] LEGACY_MAGIC = {0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a,
      (byte) 0xa8, 0x50, 0x19};
  private static final BigInteger MAGIC_NUMBER = new BigInteger("1950a86a20f9469cfc6c", 16);
  private static final long LEGACY_PROTOCOL = 1001;
  private final String file;
  private final Map<String, Tensor> tensors;

  private TorchFile(String file, Map<String, Tensor> tensors) {
    this.file = file;
    this.tensors = tensors;
  }

  /** Reads every tensor of the file. */
  public static TorchFile read(Path path) {
    String name = path.toString();
    byte[] head;
    try (InputStream in = Files.newInputStream(path)) {
      head = in.readNBytes(32);
    } catch (NoSuchFileException e) {
      throw new AmmFormatException(name + ": no such file");
    } catch (IOException e) {
      throw new AmmFormatException(name + ": cannot read (" + e.getMessage() + ")");
    }
    if (looksLikeLegacy(head)) {
      return readLegacy(path, name);
    }
    return readZip(path, name);
  }

  /**
   * True when the first bytes are those of a legacy {@code torch.save} file: a binary pickle
   * (PROTO, perhaps a FRAME) whose first value is the magic number.
   */
  public static boolean looksLikeLegacy(byte[] head) {
    if (head.length < 2 + LEGACY_MAGIC.length || (head[0] & 0xff) != 0x80) {
      return false;
    }
    for (int at = 2; at + 2 + LEGACY_MAGIC.length <= head.length; at++) {
      if ((head[at] & 0xff) == 0x8a && head[at + 1] == LEGACY_MAGIC.length) {
        for (int i = 0; i < LEGACY_MAGIC.length; i++) {
          if (head[at + 2 + i] != LEGACY_MAGIC[i]) {
            return false;
          }
        }
        return true;
      }
    }
    return false;
  }

  private static TorchFile readZip(Path path, String name) {
    try (ZipFile zip = new ZipFile(path.toFile())) {
      ZipEntry pkl = null;
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        String n = entry.getName();
        if (n.endsWith("data.pkl") && (n.equals("data.pkl") || n.endsWith("/data.pkl"))
            && (pkl == null || n.length() < pkl.getName().length())) {
          pkl = entry;
        }
      }
      if (pkl == null) {
        throw new AmmFormatException(name + ": a zip archive without data.pkl is not a PyTorch file");
      }
      String root = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
      ByteOrder order = byteOrder(zip, root, name);
      TorchGlobals globals = new TorchGlobals(name);
      Object top = Pickle.load(readEntry(zip, pkl, MAX_PICKLE, name), globals, name + " (" + pkl.getName() + ")");
      return collect(name, top, (s, first, count, tensor) -> {
        ZipEntry entry = zip.getEntry(root + "data/" + s.key);
        if (entry == null) {
          throw new AmmFormatException(name + ": storage data/" + s.key + " of tensor '" + tensor + "' is missing");
        }
        long need = s.numel > Long.MAX_VALUE / s.type.itemSize ? Long.MAX_VALUE : s.numel * s.type.itemSize;
        try (InputStream in = zip.getInputStream(entry)) {
          if (entry.getSize() >= 0 && entry.getSize() < need) {
            throw new EOFException(entry.getSize() + " of " + need + " bytes");
          }
          in.skipNBytes(first * s.type.itemSize);
          byte[] b = in.readNBytes((int) (count * s.type.itemSize));
          if (b.length < count * s.type.itemSize) {
            throw new EOFException("fewer than " + need + " bytes");
          }
          return ByteBuffer.wrap(b).order(order);
        } catch (EOFException e) {
          throw new AmmFormatException(name + ": storage data/" + s.key + " is truncated ("
              + (e.getMessage() != null ? e.getMessage() : "fewer than " + need + " bytes") + ")");
        }
      });
    } catch (ZipException e) {
      throw new AmmFormatException(name + ": not a PyTorch file (not a zip archive: " + e.getMessage()
          + ", nor a legacy torch.save stream)");
    } catch (NoSuchFileException e) {
      throw new AmmFormatException(name + ": no such file");
    } catch (IOException e) {
      throw new AmmFormatException(name + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** The byte order of the archive's storages: its byteorder record, little when there is none. */
  private static ByteOrder byteOrder(ZipFile zip, String root, String name) throws IOException {
    ZipEntry record = zip.getEntry(root + "byteorder");
    if (record == null) {
      return ByteOrder.LITTLE_ENDIAN;
    }
    String value = new String(readEntry(zip, record, 64, name), StandardCharsets.US_ASCII);
    if (value.equals("little") || value.equals("big")) {
      return value.equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }
    throw new AmmFormatException(name + ": unknown byte order '" + AmmFormatException.printable(value, 20)
        + "' in its byteorder record (PyTorch writes little or big)");
  }

  private static TorchFile readLegacy(Path path, String name) {
    try (FileChannel ch = FileChannel.open(path)) {
      long size = ch.size();
      ByteBuffer pickles = ByteBuffer.allocate((int) Math.min(size, MAX_PICKLE));
      while (pickles.hasRemaining() && ch.read(pickles, pickles.position()) > 0) {
        // positioned reads until the buffer is full or the file ends
      }
      pickles.flip();
      TorchGlobals globals = new TorchGlobals(name);
      String source = name + " (legacy torch.save)";
      Object magic = Pickle.load(pickles, globals, source);
      if (!MAGIC_NUMBER.equals(magic)) {
        throw new AmmFormatException(name + ": not a legacy torch.save file (bad magic number)");
      }
      Object protocol = Pickle.load(pickles, globals, source);
      if (!Long.valueOf(LEGACY_PROTOCOL).equals(protocol)) {
        throw new AmmFormatException(name + ": unsupported legacy torch.save protocol version " + protocol
            + " (expected " + LEGACY_PROTOCOL + ")");
      }
      Pickle.load(pickles, globals, source); // sys_info: storages are little-endian whatever it says
      Object top = Pickle.load(pickles, globals, source);
      Object keys = Pickle.load(pickles, globals, source);
      if (!(keys instanceof List)) {
        throw new AmmFormatException(name + ": legacy torch.save file without its list of storage keys");
      }
      Map<String, long[]> where = new HashMap<>(); // key -> {offset of the first byte, element count}
      long pos = pickles.position();
      for (Object k : (List<?>) keys) {
        String key = String.valueOf(k);
        TorchGlobals.StorageRef s = globals.roots.get(key);
        if (s == null) {
          throw new AmmFormatException(name + ": storage key '" + AmmFormatException.printable(key, 40)
              + "' is listed but no tensor uses it");
        }
        ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        if (pos + 8 > size || ch.read(count, pos) < 8) {
          throw new AmmFormatException(name + ": truncated legacy torch.save file (storage '" + key + "' is missing)");
        }
        long n = count.getLong(0);
        if (n != s.numel) {
          throw new AmmFormatException(name + ": storage '" + key + "' holds " + n + " elements, its record says "
              + s.numel);
        }
        if (n < 0 || n > (size - pos - 8) / s.type.itemSize) {
          throw new AmmFormatException(name + ": truncated legacy torch.save file (storage '" + key + "' has "
              + n + " elements of " + s.type.itemSize + " bytes, the file holds " + (size - pos - 8) + " more bytes)");
        }
        where.put(key, new long[] {pos + 8, n});
        pos += 8 + n * s.type.itemSize;
      }
      return collect(name, top, (s, first, count, tensor) -> {
        long[] at = where.get(s.key);
        if (at == null) {
          throw new AmmFormatException(name + ": storage '" + s.key + "' of tensor '" + tensor + "' is missing");
        }
        if (s.base > at[1] - s.numel) {
          throw new AmmFormatException(name + ": a view of storage '" + s.key + "' reaches past its end");
        }
        ByteBuffer b = ByteBuffer.allocate((int) (count * s.type.itemSize));
        while (b.hasRemaining() && ch.read(b, at[0] + (s.base + first) * s.type.itemSize + b.position()) > 0) {
          // positioned reads until the tensor's span is in
        }
        return b.flip().order(ByteOrder.LITTLE_ENDIAN);
      });
    } catch (NoSuchFileException e) {
      throw new AmmFormatException(name + ": no such file");
    } catch (IOException e) {
      throw new AmmFormatException(name + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** The tensors by name, in the order the file lists them. */
  public Map<String, Tensor> tensors() {
    return Collections.unmodifiableMap(tensors);
  }

  /** The tensor with this name; the error lists the names there are. */
  public Tensor tensor(String key) {
    Tensor t = tensors.get(key);
    if (t == null) {
      throw new AmmFormatException(file + ": no tensor named '" + key + "'; "
          + (tensors.isEmpty() ? "the file holds no tensors" : "tensors: " + String.join(", ", tensors.keySet())));
    }
    return t;
  }

  /**
   * The tensor named {@code key}, or, with a null key, the file's only tensor; a file of no or
   * several tensors is then refused with their names.
   */
  public Tensor select(String key) {
    if (key != null) {
      return tensor(key);
    }
    if (tensors.size() != 1) {
      throw new AmmFormatException(file + ": " + (tensors.isEmpty() ? "holds no tensors"
          : "holds " + tensors.size() + " tensors (" + String.join(", ", tensors.keySet()) + "); name one with --key"));
    }
    return tensors.values().iterator().next();
  }

  /** Names of all tensors, for messages and listings. */
  public List<String> names() {
    return new ArrayList<>(tensors.keySet());
  }

  /** Where the bytes of each storage lie. */
  @FunctionalInterface
  private interface Storages {
    /** Elements [first, first + count) of storage {@code s} (within its view), in the file's byte order. */
    ByteBuffer read(TorchGlobals.StorageRef s, long first, long count, String tensor) throws IOException;
  }

  private static TorchFile collect(String file, Object top, Storages storages) throws IOException {
    Map<String, TorchGlobals.TensorRef> refs = new LinkedHashMap<>();
    collect("", top, refs, 0);
    Map<String, Tensor> found = new LinkedHashMap<>();
    for (Map.Entry<String, TorchGlobals.TensorRef> e : refs.entrySet()) {
      found.put(e.getKey(), materialize(file, e.getValue(), e.getKey(), storages));
    }
    return new TorchFile(file, found);
  }

  private static void collect(String prefix, Object o, Map<String, TorchGlobals.TensorRef> out, int depth) {
    if (depth > 32) {
      return;
    }
    if (o instanceof TorchGlobals.TensorRef) {
      out.putIfAbsent(prefix.isEmpty() ? "tensor" : prefix, (TorchGlobals.TensorRef) o);
    } else if (o instanceof TorchGlobals.Module) {
      collect(prefix, ((TorchGlobals.Module) o).attributes, out, depth + 1);
    } else if (o instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
        String k = String.valueOf(e.getKey());
        collect(prefix.isEmpty() ? k : prefix + "." + k, e.getValue(), out, depth + 1);
      }
    } else if (o instanceof List) {
      List<?> l = (List<?>) o;
      for (int i = 0; i < l.size(); i++) {
        collect(prefix.isEmpty() ? String.valueOf(i) : prefix + "." + i, l.get(i), out, depth + 1);
      }
    }
  }

  /** Reads the elements a tensor views, in C order, after checking its view against its storage. */
  private static Tensor materialize(String file, TorchGlobals.TensorRef ref, String name, Storages storages)
      throws IOException {
    if (ref.size.length != ref.stride.length) {
      throw new AmmFormatException(file + ": tensor '" + name + "' has " + ref.size.length + " sizes but "
          + ref.stride.length + " strides");
    }
    long count = 1;
    long extent = 0;
    for (int d = 0; d < ref.size.length; d++) {
      if (ref.size[d] < 0 || ref.stride[d] < 0) {
        throw new AmmFormatException(file + ": tensor '" + name + "' has a negative size or stride");
      }
      try {
        count = Math.multiplyExact(count, ref.size[d]);
        if (ref.size[d] > 0) {
          extent = Math.addExact(extent, Math.multiplyExact(ref.size[d] - 1, ref.stride[d]));
        }
      } catch (ArithmeticException e) {
        throw new AmmFormatException(file + ": tensor '" + name + "' has sizes or strides that overflow");
      }
    }
    if (count > MAX_ELEMENTS) {
      throw new AmmFormatException(file + ": tensor '" + name + "' has " + count + " elements, more than one array holds");
    }
    TorchGlobals.StorageRef s = ref.storage;
    if (count > 0 && (ref.offset < 0 || ref.offset > s.numel || extent >= s.numel - ref.offset)) {
      throw new AmmFormatException(file + ": tensor '" + name + "' reaches past the end of its storage ("
          + s.numel + " elements)");
    }
    double[] values = new double[(int) count];
    boolean exact = true;
    if (count > 0) {
      if ((extent + 1) * s.type.itemSize > MAX_ELEMENTS) {
        throw new AmmFormatException(file + ": tensor '" + name + "' spans " + (extent + 1) * s.type.itemSize
            + " bytes of its storage, more than one read holds");
      }
      ByteBuffer bb = storages.read(s, ref.offset, extent + 1, name);
      long[] index = new long[ref.size.length];
      for (int i = 0; i < values.length; i++) {
        long pos = 0;
        for (int d = 0; d < index.length; d++) {
          pos += index[d] * ref.stride[d];
        }
        values[i] = s.type.decode(bb, (int) pos);
        if (s.type == ScalarType.INT64) { // beyond 2^53 not every int64 is a double
          long raw = bb.getLong((int) pos * 8);
          exact &= raw != Long.MAX_VALUE && (long) values[i] == raw;
        }
        for (int d = index.length - 1; d >= 0; d--) {
          if (++index[d] < ref.size[d]) {
            break;
          }
          index[d] = 0;
        }
      }
    }
    return new Tensor(name, s.type.dtype, ref.size.clone(), values, exact);
  }

  static byte[] readEntry(ZipFile zip, ZipEntry entry, long limit, String file) throws IOException {
    long size = entry.getSize();
    if (size > limit) {
      throw new AmmFormatException(file + ": entry " + entry.getName() + " is larger (" + size
          + " bytes) than allowed (" + limit + ")");
    }
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] data = in.readNBytes((int) Math.min(limit + 1, size >= 0 ? size : limit + 1));
      if (data.length > limit) {
        throw new AmmFormatException(file + ": entry " + entry.getName() + " is larger than allowed (" + limit + ")");
      }
      return data;
    }
  }
}
