package org.sparkamm.io.torch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.sparkamm.error.AmmFormatException;

/**
 * Reads the tensors of a PyTorch file without PyTorch: both {@code torch.save} archives and
 * TorchScript modules ({@code torch.jit.save}) are zip files holding {@code <root>/data.pkl} (a
 * pickle of the object) and raw little-endian storages {@code <root>/data/<key>}.
 *
 * <p>The pickle is read by an allow-list interpreter ({@link Pickle}) that accepts only
 * {@code torch._utils._rebuild_tensor(_v2)}, {@code torch._utils._rebuild_parameter},
 * {@code torch._tensor._rebuild_from_type_v2}, the typed storage classes, {@code collections.OrderedDict}
 * and TorchScript's own {@code __torch__.*} module records (kept as plain attribute maps). Any
 * other global, e.g. a Python class of the user's or {@code os.system}, is refused: nothing in the
 * file is ever executed. A tensor's size, stride and offset are checked against its storage before
 * any element is read.
 *
 * <p>Tensors are named by their path from the root object: attributes of a module or keys of a dict
 * ({@code prototypes}, {@code A}), joined with dots when nested ({@code layer.weight}).
 */
public final class TorchFile {
  private static final long MAX_PICKLE = 64L << 20;
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
  private final String file;
  private final Map<String, Tensor> tensors;

  private TorchFile(String file, Map<String, Tensor> tensors) {
    this.file = file;
    this.tensors = tensors;
  }

  /** Reads every tensor of the file. */
  public static TorchFile read(Path path) {
    String name = path.toString();
    if (!Files.exists(path)) {
      throw new AmmFormatException(name + ": no such file");
    }
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
      byte[] pickle = readEntry(zip, pkl, MAX_PICKLE, name);
      TorchGlobals globals = new TorchGlobals(zip, root, name);
      Object top = Pickle.load(pickle, globals, name + " (" + pkl.getName() + ")");
      Map<String, Tensor> found = new LinkedHashMap<>();
      collect("", top, found, globals, 0);
      return new TorchFile(name, found);
    } catch (ZipException e) {
      throw new AmmFormatException(name + ": not a PyTorch file (not a zip archive: " + e.getMessage()
          + "); legacy pre-1.6 torch.save files are not supported");
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

  private static void collect(String prefix, Object o, Map<String, Tensor> out, TorchGlobals g, int depth) {
    if (depth > 32) {
      return;
    }
    if (o instanceof TorchGlobals.TensorRef) {
      String n = prefix.isEmpty() ? "tensor" : prefix;
      out.putIfAbsent(n, g.materialize((TorchGlobals.TensorRef) o, n));
    } else if (o instanceof TorchGlobals.Module) {
      collect(prefix, ((TorchGlobals.Module) o).attributes, out, g, depth + 1);
    } else if (o instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
        String k = String.valueOf(e.getKey());
        collect(prefix.isEmpty() ? k : prefix + "." + k, e.getValue(), out, g, depth + 1);
      }
    } else if (o instanceof List) {
      List<?> l = (List<?>) o;
      for (int i = 0; i < l.size(); i++) {
        collect(prefix.isEmpty() ? String.valueOf(i) : prefix + "." + i, l.get(i), out, g, depth + 1);
      }
    }
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

  /** The allow-listed globals and the storages of one archive. */
  static final class TorchGlobals implements Pickle.Globals {
    /** A TorchScript module record: its class name and attributes. */
    static final class Module {
      final String className;
      final Map<Object, Object> attributes = new LinkedHashMap<>();

      Module(String className) {
        this.className = className;
      }
    }

    /** A storage type such as torch.FloatStorage. */
    static final class StorageType {
      final String dtype;
      final int itemSize;

      StorageType(String dtype, int itemSize) {
        this.dtype = dtype;
        this.itemSize = itemSize;
      }
    }

    /** A storage: its type, its key in data/, its length in elements. */
    static final class StorageRef {
      final StorageType type;
      final String key;
      final long numel;

      StorageRef(StorageType type, String key, long numel) {
        this.type = type;
        this.key = key;
        this.numel = numel;
      }
    }

    /** A tensor view of a storage, not yet read. */
    static final class TensorRef {
      final StorageRef storage;
      final long offset;
      final long[] size;
      final long[] stride;

      TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
        this.storage = storage;
        this.offset = offset;
        this.size = size;
        this.stride = stride;
      }
    }

    private enum Fn {
      REBUILD_TENSOR, REBUILD_PARAMETER, REBUILD_FROM_TYPE, ORDERED_DICT, PARAMETER_CLASS
    }

    private static final Map<String, StorageType> STORAGES = Map.ofEntries(
        Map.entry("FloatStorage", new StorageType("float32", 4)),
        Map.entry("DoubleStorage", new StorageType("float64", 8)),
        Map.entry("HalfStorage", new StorageType("float16", 2)),
        Map.entry("BFloat16Storage", new StorageType("bfloat16", 2)),
        Map.entry("LongStorage", new StorageType("int64", 8)),
        Map.entry("IntStorage", new StorageType("int32", 4)),
        Map.entry("ShortStorage", new StorageType("int16", 2)),
        Map.entry("CharStorage", new StorageType("int8", 1)),
        Map.entry("ByteStorage", new StorageType("uint8", 1)),
        Map.entry("BoolStorage", new StorageType("bool", 1)));

    private final ZipFile zip;
    private final String root;
    private final String file;

    TorchGlobals(ZipFile zip, String root, String file) {
      this.zip = zip;
      this.root = root;
      this.file = file;
    }

    @Override
    public Object resolve(String module, String name) {
      String full = module + "." + name;
      switch (full) {
        case "torch._utils._rebuild_tensor_v2":
        case "torch._utils._rebuild_tensor":
          return Fn.REBUILD_TENSOR;
        case "torch._utils._rebuild_parameter":
          return Fn.REBUILD_PARAMETER;
        case "torch._tensor._rebuild_from_type_v2":
          return Fn.REBUILD_FROM_TYPE;
        case "torch.nn.parameter.Parameter":
          return Fn.PARAMETER_CLASS;
        case "collections.OrderedDict":
          return Fn.ORDERED_DICT;
        default:
          if (module.equals("torch") && STORAGES.containsKey(name)) {
            return STORAGES.get(name);
          }
          if (module.equals("__torch__") || module.startsWith("__torch__.")) {
            return new Module(full);
          }
          throw new AmmFormatException(file + ": refuses to load the Python global '" + full
              + "': only tensors, storages and module records can be read");
      }
    }

    @Override
    public Object call(Object callable, List<Object> args) {
      if (callable instanceof Module) {
        return new Module(((Module) callable).className); // NEWOBJ of a TorchScript class: a fresh record
      }
      if (callable == Fn.ORDERED_DICT) {
        return new LinkedHashMap<>();
      }
      if (callable == Fn.REBUILD_TENSOR) {
        if (args.size() < 4 || !(args.get(0) instanceof StorageRef)) {
          throw new AmmFormatException(file + ": malformed tensor record");
        }
        return new TensorRef((StorageRef) args.get(0), asLong(args.get(1)), longs(args.get(2)), longs(args.get(3)));
      }
      if (callable == Fn.REBUILD_PARAMETER && !args.isEmpty()) {
        return args.get(0);
      }
      if (callable == Fn.REBUILD_FROM_TYPE && args.size() >= 3 && args.get(2) instanceof List) {
        return call(args.get(0), castList(args.get(2)));
      }
      throw new AmmFormatException(file + ": refuses to call " + Pickle.describe(callable) + " while unpickling");
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object build(Object obj, Object state) {
      if (obj instanceof Module && state instanceof Map) {
        ((Module) obj).attributes.putAll((Map<Object, Object>) state);
      }
      return obj; // tensors and dicts: BUILD carries hooks or metadata that a reader does not need
    }

    @Override
    public Object persistentLoad(Object pid) {
      List<Object> t = castList(pid);
      if (t.size() < 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof StorageType)) {
        throw new AmmFormatException(file + ": unsupported persistent id in pickle");
      }
      return new StorageRef((StorageType) t.get(1), String.valueOf(t.get(2)), asLong(t.get(4)));
    }

    Tensor materialize(TensorRef ref, String name) {
      long count = 1;
      long extent = 0;
      for (int d = 0; d < ref.size.length; d++) {
        if (ref.size[d] < 0 || ref.stride[d] < 0) {
          throw new AmmFormatException(file + ": tensor '" + name + "' has a negative size or stride");
        }
        count = Math.multiplyExact(count, ref.size[d]);
        if (ref.size[d] > 0) {
          extent = Math.addExact(extent, Math.multiplyExact(ref.size[d] - 1, ref.stride[d]));
        }
      }
      if (count > MAX_ELEMENTS) {
        throw new AmmFormatException(file + ": tensor '" + name + "' has " + count + " elements, more than one array holds");
      }
      StorageRef s = ref.storage;
      if (count > 0 && (ref.offset < 0 || ref.offset + extent >= s.numel)) {
        throw new AmmFormatException(file + ": tensor '" + name + "' reaches past the end of its storage ("
            + s.numel + " elements)");
      }
      ZipEntry entry = zip.getEntry(root + "data/" + s.key);
      if (entry == null) {
        throw new AmmFormatException(file + ": storage data/" + s.key + " of tensor '" + name + "' is missing");
      }
      byte[] raw;
      try {
        raw = readEntry(zip, entry, Math.multiplyExact(s.numel, (long) s.type.itemSize), file);
      } catch (IOException e) {
        throw new AmmFormatException(file + ": cannot read storage data/" + s.key + " (" + e.getMessage() + ")");
      }
      if (raw.length < s.numel * s.type.itemSize) {
        throw new AmmFormatException(file + ": storage data/" + s.key + " is truncated (" + raw.length + " of "
            + s.numel * s.type.itemSize + " bytes)");
      }
      ByteBuffer bb = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
      double[] values = new double[(int) count];
      long[] index = new long[ref.size.length];
      for (int i = 0; i < values.length; i++) {
        long pos = ref.offset;
        for (int d = 0; d < index.length; d++) {
          pos += index[d] * ref.stride[d];
        }
        values[i] = element(bb, s.type, (int) pos);
        for (int d = index.length - 1; d >= 0; d--) {
          if (++index[d] < ref.size[d]) {
            break;
          }
          index[d] = 0;
        }
      }
      return new Tensor(name, s.type.dtype, ref.size.clone(), values);
    }

    private static double element(ByteBuffer bb, StorageType t, int i) {
      switch (t.dtype) {
        case "float32":
          return bb.getFloat(i * 4);
        case "float64":
          return bb.getDouble(i * 8);
        case "float16":
          return org.sparkamm.io.DType.halfToFloat(bb.getShort(i * 2));
        case "bfloat16":
          return Float.intBitsToFloat((bb.getShort(i * 2) & 0xffff) << 16);
        case "int64":
          return bb.getLong(i * 8);
        case "int32":
          return bb.getInt(i * 4);
        case "int16":
          return bb.getShort(i * 2);
        case "int8":
          return bb.get(i);
        default: // uint8, bool
          return bb.get(i) & 0xff;
      }
    }

    private long asLong(Object o) {
      if (o instanceof Long) {
        return (Long) o;
      }
      throw new AmmFormatException(file + ": expected an integer in a tensor record, found " + Pickle.describe(o));
    }

    private long[] longs(Object o) {
      List<Object> l = castList(o);
      long[] out = new long[l.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = asLong(l.get(i));
      }
      return out;
    }

    @SuppressWarnings("unchecked")
    private List<Object> castList(Object o) {
      if (o instanceof List) {
        return (List<Object>) o;
      }
      throw new AmmFormatException(file + ": expected a tuple in a tensor record, found " + Pickle.describe(o));
    }
  }

  /** Names of all tensors, for messages and listings. */
  public List<String> names() {
    return new ArrayList<>(tensors.keySet());
  }
}
