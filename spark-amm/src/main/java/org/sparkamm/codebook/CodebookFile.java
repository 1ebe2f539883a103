package org.sparkamm.codebook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.sparkamm.error.AmmFormatException;
import org.sparkamm.io.AtomicFile;

/**
 * The codebook file: a NumPy {@code .npz} (a zip of {@code .npy} arrays, as {@code numpy.savez}
 * writes it), so {@code numpy.load("codebook.npz")} reads it with no pickle. Arrays, all
 * little-endian and in C order:
 *
 * <pre>
 * format            str    ()          "spark-amm codebook"
 * version           int64  ()          1
 * tag               str    ()          the method that made it: pq-raw, pq-hash, vq or pq
 * offsets           int64  (C+1,)      subspace c is inner indices offsets[c] .. offsets[c+1]-1
 * inner             int64  ()          the inner dimension n it fits; -1: LibAMM's layout (any n with n // C == width)
 * prototypes_a      float64 (C, K_A, W) codewords of A's rows; W the widest subspace, zero beyond a subspace's width
 * prototypes_b      float64 (C, K_B, W) codewords of B's columns (vq, pq only)
 * lookup            float64 (C, K_A, K_B) lookup[c, a, b] = prototypes_a[c, a] . prototypes_b[c, b] (vq, pq only)
 * hash_dims         int64  (C, 4)      pq-hash: the coordinate (within the subspace) compared at each level
 * hash_thresholds   float64 (C, 16)    pq-hash: threshold of heap node h = 1..15 at [c, h]; [c, 0] unused (NaN)
 * seed              int64  ()          the training seed (-1 unknown)
 * training_rows     int64  ()          rows of A trained on (-1 unknown)
 * training_columns  int64  ()          columns of B trained on (0 for one-sided codebooks, -1 unknown)
 * </pre>
 *
 * <p>Reading checks every array's header against its bytes before allocating, then the arrays
 * against each other (shapes, increasing offsets, finite codewords, tree coordinates within their
 * subspace); each problem is a one-line {@link AmmFormatException} naming the file and the array.
 * A directory is read as the Spark ML layout written by {@code spark.CodebookModel}: its
 * {@code data/codebook.npz}.
 */
public final class CodebookFile {
  public static final String FORMAT = "spark-amm codebook";
  /** The data file inside a Spark ML directory. */
  public static final String DATA_FILE = "data/codebook.npz";
  private static final long VERSION = 1;
  private static final Set<String> TAGS = Set.of("pq-raw", "pq-hash", "vq", "pq");
  private static final int MAX_ENTRY = Integer.MAX_VALUE - 8;
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-zA-Z])(\\d+)'");
  private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private CodebookFile() {}

  /** One array of the file: floats in {@code values}, integers in {@code ints}, or a string. */
  private static final class Array {
    final long[] shape;
    double[] values;
    long[] ints;
    String text;

    Array(long[] shape) {
      this.shape = shape;
    }
  }

  /** Writes {@code cb} to {@code file} atomically (a failure leaves no partial file). */
  public static void write(Codebook cb, Path file) {
    AtomicFile.write(file, out -> write(cb, out));
  }

  /** Writes {@code cb} as {@code .npz} to a stream (not closed). */
  public static void write(Codebook cb, OutputStream stream) throws IOException {
    Subspaces s = cb.subspaces();
    int count = s.count();
    int w = s.maxWidth();
    ZipOutputStream zip = new ZipOutputStream(stream);
    text(zip, "format", FORMAT);
    ints(zip, "version", new long[0], VERSION);
    text(zip, "tag", cb.tag());
    ints(zip, "offsets", new long[] {count + 1}, s.offsets());
    ints(zip, "inner", new long[0], s.inner());
    floats(zip, "prototypes_a", new long[] {count, cb.codewordsA(), w}, padded(cb, false, w));
    if (cb.twoSided()) {
      floats(zip, "prototypes_b", new long[] {count, cb.codewordsB(), w}, padded(cb, true, w));
      double[] lookup = new double[count * cb.codewordsA() * cb.codewordsB()];
      int i = 0;
      for (int c = 0; c < count; c++) {
        for (int a = 0; a < cb.codewordsA(); a++) {
          for (int b = 0; b < cb.codewordsB(); b++) {
            lookup[i++] = cb.lookup(c, a, b);
          }
        }
      }
      floats(zip, "lookup", new long[] {count, cb.codewordsA(), cb.codewordsB()}, lookup);
    }
    if (cb.hashed()) {
      long[] dims = new long[count * HashTree.LEVELS];
      double[] thresholds = new double[count * HashTree.BUCKETS];
      for (int c = 0; c < count; c++) {
        for (int t = 0; t < HashTree.LEVELS; t++) {
          dims[c * HashTree.LEVELS + t] = cb.tree(c).dim(t);
        }
        for (int h = 0; h < HashTree.BUCKETS; h++) {
          thresholds[c * HashTree.BUCKETS + h] = h == 0 ? Double.NaN : cb.tree(c).threshold(h);
        }
      }
      ints(zip, "hash_dims", new long[] {count, HashTree.LEVELS}, dims);
      floats(zip, "hash_thresholds", new long[] {count, HashTree.BUCKETS}, thresholds);
    }
    ints(zip, "seed", new long[0], cb.seed());
    ints(zip, "training_rows", new long[0], cb.trainingRows());
    ints(zip, "training_columns", new long[0], cb.trainingColumns());
    zip.finish();
  }

  /** Reads a codebook file, or the codebook of a Spark ML directory ({@value #DATA_FILE}). */
  public static Codebook read(Path file) {
    Path data = Files.isDirectory(file) ? file.resolve(DATA_FILE) : file;
    String name = data.toString();
    if (!Files.exists(data)) {
      throw new AmmFormatException(name + ": no such file");
    }
    Map<String, Array> arrays = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(data.toFile())) {
      for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
        ZipEntry e = it.nextElement();
        if (e.getName().endsWith(".npy")) {
          try (InputStream in = zip.getInputStream(e)) {
            add(arrays, e, in, name);
          }
        }
      }
    } catch (ZipException e) {
      throw new AmmFormatException(name + ": not a codebook file (not an .npz archive: " + e.getMessage() + ")");
    } catch (IOException e) {
      throw new AmmFormatException(name + ": cannot read (" + e.getMessage() + ")");
    }
    return codebook(arrays, name);
  }

  /** Reads a codebook from a stream of {@code .npz} bytes (e.g. from a Hadoop file system); {@code name} names it. */
  public static Codebook read(InputStream in, String name) throws IOException {
    Map<String, Array> arrays = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (e.getName().endsWith(".npy")) {
          add(arrays, e, zip, name);
        }
      }
    } catch (ZipException e) {
      throw new AmmFormatException(name + ": not a codebook file (not an .npz archive: " + e.getMessage() + ")");
    }
    return codebook(arrays, name);
  }

  /** Reads one member, at most {@value #MAX_ENTRY} bytes whatever its header says, and parses it. */
  private static void add(Map<String, Array> arrays, ZipEntry e, InputStream in, String name) throws IOException {
    byte[] bytes = in.readNBytes(MAX_ENTRY);
    if (in.read() >= 0) {
      throw new AmmFormatException(name + ": member " + e.getName() + " is larger than " + MAX_ENTRY + " bytes");
    }
    String key = e.getName().substring(0, e.getName().length() - 4);
    arrays.put(key, parse(bytes, name + "[" + key + "]"));
  }

  private static Codebook codebook(Map<String, Array> a, String name) {
    if (a.isEmpty()) {
      throw new AmmFormatException(name + ": not a codebook file (no .npy arrays in it)");
    }
    String format = text(a, "format", name);
    if (!FORMAT.equals(format)) {
      throw new AmmFormatException(name + ": not a spark-amm codebook (format '" + format + "')");
    }
    long version = scalar(a, "version", name);
    if (version != VERSION) {
      throw new AmmFormatException(name + ": codebook format version " + version + " is not supported (only " + VERSION + ")");
    }
    String tag = text(a, "tag", name);
    if (!TAGS.contains(tag)) {
      throw new AmmFormatException(name + ": unknown codebook tag '" + tag + "' (pq-raw, pq-hash, vq or pq)");
    }
    Array offsets = array(a, "offsets", name, 'i');
    if (offsets.shape.length != 1) {
      throw new AmmFormatException(name + "[offsets]: must be one-dimensional");
    }
    Subspaces s = Subspaces.of(offsets.ints, scalar(a, "inner", name), name);
    int count = s.count();
    long seed = scalar(a, "seed", name);
    long rows = scalar(a, "training_rows", name);
    long cols = scalar(a, "training_columns", name);
    Array pa = array(a, "prototypes_a", name, 'f');
    int ka = codewords(pa, "prototypes_a", s, name);
    double[][] protoA = unpadded(pa, s, ka);
    if (a.containsKey("prototypes_b")) {
      Array pb = array(a, "prototypes_b", name, 'f');
      int kb = codewords(pb, "prototypes_b", s, name);
      Array lookup = array(a, "lookup", name, 'f');
      shape(lookup, "lookup", name, count, ka, kb);
      finite(lookup.values, name + "[lookup]");
      double[][] table = new double[count][];
      for (int c = 0; c < count; c++) {
        table[c] = java.util.Arrays.copyOfRange(lookup.values, c * ka * kb, (c + 1) * ka * kb);
      }
      return Codebook.codewords(tag, s, ka, protoA, kb, unpadded(pb, s, kb), table, seed, rows, cols);
    }
    if (a.containsKey("hash_dims")) {
      if (ka != HashTree.BUCKETS) {
        throw new AmmFormatException(name + ": a hashed codebook needs " + HashTree.BUCKETS + " prototypes per subspace, got " + ka);
      }
      Array dims = array(a, "hash_dims", name, 'i');
      shape(dims, "hash_dims", name, count, HashTree.LEVELS);
      Array thr = array(a, "hash_thresholds", name, 'f');
      shape(thr, "hash_thresholds", name, count, HashTree.BUCKETS);
      HashTree[] trees = new HashTree[count];
      for (int c = 0; c < count; c++) {
        int[] d = new int[HashTree.LEVELS];
        for (int t = 0; t < d.length; t++) {
          long v = dims.ints[c * HashTree.LEVELS + t];
          if (v < 0 || v >= s.width(c)) {
            throw new AmmFormatException(name + "[hash_dims]: subspace " + c + " compares coordinate " + v
                + ", outside its width " + s.width(c));
          }
          d[t] = (int) v;
        }
        double[] t = java.util.Arrays.copyOfRange(thr.values, c * HashTree.BUCKETS, (c + 1) * HashTree.BUCKETS);
        for (int h = 1; h < t.length; h++) {
          if (Double.isNaN(t[h])) {
            throw new AmmFormatException(name + "[hash_thresholds]: subspace " + c + " node " + h + " is NaN");
          }
        }
        t[0] = Double.NaN;
        trees[c] = new HashTree(d, t);
      }
      return Codebook.hashed(tag, s, protoA, trees, seed, rows);
    }
    return Codebook.prototypes(tag, s, ka, protoA, seed, rows);
  }

  /** The codewords per subspace of a (C, K, W) array, checked against the subspaces. */
  private static int codewords(Array x, String key, Subspaces s, String name) {
    if (x.shape.length != 3 || x.shape[0] != s.count() || x.shape[1] < 1 || x.shape[2] != s.maxWidth()) {
      throw new AmmFormatException(name + "[" + key + "]: shape " + java.util.Arrays.toString(x.shape)
          + " does not match the offsets: expected (" + s.count() + ", K, " + s.maxWidth() + ") with K >= 1");
    }
    finite(x.values, name + "[" + key + "]");
    return (int) x.shape[1];
  }

  private static void shape(Array x, String key, String name, long... expected) {
    if (!java.util.Arrays.equals(x.shape, expected)) {
      throw new AmmFormatException(name + "[" + key + "]: shape " + java.util.Arrays.toString(x.shape) + ", expected "
          + java.util.Arrays.toString(expected));
    }
  }

  private static void finite(double[] v, String where) {
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        throw new AmmFormatException(where + ": holds NaN or infinite values (first at flat index " + i + ")");
      }
    }
  }

  private static double[] padded(Codebook cb, boolean ofB, int w) {
    Subspaces s = cb.subspaces();
    int k = ofB ? cb.codewordsB() : cb.codewordsA();
    double[] out = new double[Math.multiplyExact(Math.multiplyExact(s.count(), k), w)];
    for (int c = 0; c < s.count(); c++) {
      int wc = s.width(c);
      double[] p = cb.prototypes(ofB, c);
      for (int kk = 0; kk < k; kk++) {
        System.arraycopy(p, kk * wc, out, (c * k + kk) * w, wc);
      }
    }
    return out;
  }

  private static double[][] unpadded(Array x, Subspaces s, int k) {
    int w = (int) x.shape[2];
    double[][] out = new double[s.count()][];
    for (int c = 0; c < s.count(); c++) {
      int wc = s.width(c);
      out[c] = new double[k * wc];
      for (int kk = 0; kk < k; kk++) {
        System.arraycopy(x.values, (c * k + kk) * w, out[c], kk * wc, wc);
      }
    }
    return out;
  }

  private static Array array(Map<String, Array> a, String key, String name, char kind) {
    Array x = a.get(key);
    if (x == null) {
      throw new AmmFormatException(name + ": no array named '" + key + "' (not a complete codebook file)");
    }
    if ((kind == 'f' && x.values == null) || (kind == 'i' && x.ints == null) || (kind == 'U' && x.text == null)) {
      throw new AmmFormatException(name + "[" + key + "]: expected " + (kind == 'f' ? "floats" : kind == 'i'
          ? "integers" : "a string"));
    }
    return x;
  }

  private static long scalar(Map<String, Array> a, String key, String name) {
    Array x = array(a, key, name, 'i');
    if (x.ints.length != 1) {
      throw new AmmFormatException(name + "[" + key + "]: expected one integer, got " + x.ints.length);
    }
    return x.ints[0];
  }

  private static String text(Map<String, Array> a, String key, String name) {
    return array(a, key, name, 'U').text;
  }

  /** One {@code .npy} member: header checked against the bytes before any array is allocated. */
  private static Array parse(byte[] b, String name) {
    if (b.length < 10 || !java.util.Arrays.equals(java.util.Arrays.copyOf(b, 6), MAGIC)) {
      throw new AmmFormatException(name + ": not a .npy array (bad magic number)");
    }
    int major = b[6] & 0xff;
    if (major < 1 || major > 3) {
      throw new AmmFormatException(name + ": unsupported .npy format version " + major);
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    long headerLen = major == 1 ? bb.getShort(8) & 0xffff : b.length >= 12 ? bb.getInt(8) & 0xffffffffL : Long.MAX_VALUE;
    long dataOffset = (major == 1 ? 10 : 12) + headerLen;
    if (dataOffset > b.length) {
      throw new AmmFormatException(name + ": truncated .npy header");
    }
    String header = new String(b, major == 1 ? 10 : 12, (int) headerLen, StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher o = ORDER.matcher(header);
    Matcher sh = SHAPE.matcher(header);
    if (!d.find() || !o.find() || !sh.find()) {
      throw new AmmFormatException(name + ": malformed .npy header " + AmmFormatException.printable(header.strip(), 120));
    }
    char order = d.group(1).charAt(0);
    char kind = d.group(2).charAt(0);
    int size = Integer.parseInt(d.group(3));
    boolean supported = order != '>' && ((kind == 'f' && (size == 4 || size == 8))
        || (kind == 'i' && (size == 4 || size == 8)) || (kind == 'U' && size <= 1 << 20));
    if (!supported) {
      throw new AmmFormatException(name + ": unsupported dtype '" + d.group(1) + kind + size
          + "' (little-endian float32/64, int32/64 or str)");
    }
    long[] shape = org.sparkamm.io.Npy.parseShape(sh.group(1), name);
    long count = 1;
    for (long x : shape) {
      count = x > 0 && count > Long.MAX_VALUE / x ? Long.MAX_VALUE : count * x;
    }
    if (o.group(1).equals("True") && shape.length > 1 && count > 1) {
      throw new AmmFormatException(name + ": Fortran-order arrays are not read; save it in C order");
    }
    long itemSize = kind == 'U' ? 4L * size : size;
    long data = b.length - dataOffset;
    if (count > MAX_ENTRY || count * itemSize != data) {
      throw new AmmFormatException(name + ": shape " + java.util.Arrays.toString(shape) + " of " + d.group(2) + size
          + " needs " + (count > MAX_ENTRY ? "more than " + MAX_ENTRY + " elements" : count * itemSize + " data bytes")
          + ", the member holds " + data);
    }
    Array x = new Array(shape);
    int pos = (int) dataOffset;
    if (kind == 'U') {
      if (count != 1) {
        throw new AmmFormatException(name + ": expected one string, got shape " + java.util.Arrays.toString(shape));
      }
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < size; i++) {
        int cp = bb.getInt(pos + 4 * i);
        if (cp == 0) {
          break;
        }
        if (!Character.isValidCodePoint(cp)) {
          throw new AmmFormatException(name + ": invalid character in string");
        }
        sb.appendCodePoint(cp);
      }
      x.text = sb.toString();
    } else if (kind == 'f') {
      x.values = new double[(int) count];
      for (int i = 0; i < count; i++) {
        x.values[i] = size == 8 ? bb.getDouble(pos + 8 * i) : bb.getFloat(pos + 4 * i);
      }
    } else {
      x.ints = new long[(int) count];
      for (int i = 0; i < count; i++) {
        x.ints[i] = size == 8 ? bb.getLong(pos + 8 * i) : bb.getInt(pos + 4 * i);
      }
    }
    return x;
  }

  private static void text(ZipOutputStream zip, String key, String value) throws IOException {
    int[] cps = value.codePoints().toArray();
    ByteBuffer bb = ByteBuffer.allocate(4 * cps.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int cp : cps) {
      bb.putInt(cp);
    }
    member(zip, key, "<U" + Math.max(1, cps.length), new long[0],
        cps.length == 0 ? new byte[4] : bb.array());
  }

  private static void ints(ZipOutputStream zip, String key, long[] shape, long... values) throws IOException {
    ByteBuffer bb = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      bb.putLong(v);
    }
    member(zip, key, "<i8", shape, bb.array());
  }

  private static void floats(ZipOutputStream zip, String key, long[] shape, double[] values) throws IOException {
    ByteBuffer bb = ByteBuffer.allocate(Math.multiplyExact(8, values.length)).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      bb.putDouble(v);
    }
    member(zip, key, "<f8", shape, bb.array());
  }

  /** One stored (uncompressed) {@code KEY.npy} member, format version 1.0, as numpy.savez writes. */
  private static void member(ZipOutputStream zip, String key, String descr, long[] shape, byte[] data)
      throws IOException {
    String dims = java.util.Arrays.stream(shape).mapToObj(Long::toString)
        .collect(java.util.stream.Collectors.joining(", ")) + (shape.length == 1 ? "," : "");
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    int unpadded = 10 + dict.length() + 1;
    int padded = (unpadded + 63) / 64 * 64;
    ByteArrayOutputStream npy = new ByteArrayOutputStream(padded + data.length);
    int headerLen = padded - 10;
    npy.write(MAGIC);
    npy.write(new byte[] {1, 0, (byte) (headerLen & 0xff), (byte) (headerLen >>> 8)});
    npy.write((dict + " ".repeat(padded - unpadded) + "\n").getBytes(StandardCharsets.ISO_8859_1));
    npy.write(data);
    byte[] bytes = npy.toByteArray();
    ZipEntry e = new ZipEntry(key + ".npy");
    e.setMethod(ZipEntry.STORED);
    e.setSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(bytes);
    zip.closeEntry();
  }
}
