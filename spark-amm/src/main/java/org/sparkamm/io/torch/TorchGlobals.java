package org.sparkamm.io.torch;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkamm.error.AmmFormatException;

/**
 * What a PyTorch pickle may reference, and what calling it means: the allow-list of
 * {@link TorchFile}. Tensors become {@link TensorRef}s (a view of a storage, not yet read) and
 * storages {@link StorageRef}s; TorchScript module records become attribute maps.
 */
final class TorchGlobals implements Pickle.Globals {
  /** A TorchScript module record: its class name and attributes. */
  static final class Module {
    final String className;
    final Map<Object, Object> attributes = new LinkedHashMap<>();

    Module(String className) {
      this.className = className;
    }
  }

  /**
   * A storage: its type, its key, and the elements [base, base + numel) of it that this reference
   * covers (the whole storage, base 0, except for a legacy view).
   */
  static final class StorageRef {
    final ScalarType type;
    final String key;
    final long numel;
    final long base;

    StorageRef(ScalarType type, String key, long numel, long base) {
      this.type = type;
      this.key = key;
      this.numel = numel;
      this.base = base;
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
    REBUILD_TENSOR, REBUILD_PARAMETER, REBUILD_FROM_TYPE, ORDERED_DICT
  }

  private final String file;
  /** Each storage key's whole storage as the persistent ids first declared it. */
  final Map<String, StorageRef> roots = new HashMap<>();

  TorchGlobals(String file) {
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
      case "torch._utils._rebuild_parameter_with_state":
      case "torch.nn.parameter.Parameter":
        return Fn.REBUILD_PARAMETER;
      case "torch._tensor._rebuild_from_type_v2":
        return Fn.REBUILD_FROM_TYPE;
      case "collections.OrderedDict":
        return Fn.ORDERED_DICT;
      default:
        if ((module.equals("torch") || module.equals("torch.cuda")) && name.endsWith("Storage")) {
          ScalarType t = ScalarType.ofStorage(name);
          if (t == null) {
            throw new AmmFormatException(file + ": tensors stored as " + AmmFormatException.printable(full, 60)
                + " are not supported (real floating-point, integer and bool tensors are)");
          }
          return t;
        }
        if (module.equals("__torch__") || module.startsWith("__torch__.")) {
          return new Module(full);
        }
        throw new AmmFormatException(file + ": refuses to load the Python global '" + AmmFormatException.printable(full, 120)
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

  /**
   * {@code ('storage', type, key, location, numel)} of an archive, or, in a legacy file,
   * {@code ('storage', type, key, location, numel, view)} with view None or
   * {@code (view_key, offset, size)}: elements [offset, offset + size) of the key's storage.
   */
  @Override
  public Object persistentLoad(Object pid) {
    List<Object> t = castList(pid);
    if (t.size() < 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof ScalarType)) {
      throw new AmmFormatException(file + ": unsupported persistent id in pickle");
    }
    ScalarType type = (ScalarType) t.get(1);
    String key = String.valueOf(t.get(2));
    long numel = asLong(t.get(4));
    if (numel < 0) {
      throw new AmmFormatException(file + ": storage '" + AmmFormatException.printable(key, 40) + "' has a negative size");
    }
    StorageRef root = roots.computeIfAbsent(key, k -> new StorageRef(type, k, numel, 0));
    if (root.type != type) {
      throw new AmmFormatException(file + ": storage '" + AmmFormatException.printable(key, 40)
          + "' is read as two different types");
    }
    if (t.size() < 6 || t.get(5) == null) {
      return root;
    }
    List<Object> view = castList(t.get(5));
    if (view.size() != 3) {
      throw new AmmFormatException(file + ": malformed storage view in pickle");
    }
    long offset = asLong(view.get(1));
    long size = asLong(view.get(2));
    if (offset < 0 || size < 0 || offset > root.numel - size) {
      throw new AmmFormatException(file + ": a view of storage '" + AmmFormatException.printable(key, 40)
          + "' reaches past its " + root.numel + " elements");
    }
    return new StorageRef(type, key, size, offset);
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
