package org.sparkamm.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.sparkamm.error.AmmFormatException;

/**
 * NumPy's {@code .npy} format (format versions 1.0, 2.0 and 3.0): 2-D real arrays are read as
 * matrices, arrays of any rank are written.
 *
 * <p>Layout: the magic {@code \x93NUMPY}, major and minor version bytes, the header length (2 bytes
 * little-endian in 1.0, 4 bytes in 2.0/3.0), an ASCII (UTF-8 in 3.0) Python dict literal with
 * {@code descr}, {@code fortran_order} and {@code shape}, then the raw data. Read: float16/32/64,
 * signed/unsigned integers of 1-8 bytes and bool (0 or 1), either byte order, C or Fortran order.
 * A C-order array becomes a row-major ({@code isTransposed}) {@link DenseMatrix} and a
 * Fortran-order one a column-major one, so no transposition is made. Well-formed arrays that are
 * not matrices are refused by what they are: object arrays (pickled Python objects, never
 * unpickled here), structured dtypes, datetime64, timedelta64, strings, void. The header is
 * checked against the file's length before anything is allocated: a header that claims more data
 * than the file holds, sizes whose product overflows, or an array too large for one Java array is
 * refused with a one-line message.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** A simple dtype string: byte order, kind letter, item size, and a datetime unit such as [ns]. */
  private static final Pattern SIMPLE = Pattern.compile("([<>|=]?)([a-zA-Z])(\\d*)(\\[\\w+\\])?");
  private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private Npy() {}

  public static LoadedMatrix read(Path file) {
    long fileSize;
    try {
      fileSize = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new AmmFormatException(file + ": no such file");
    } catch (IOException e) {
      throw new AmmFormatException(file + ": cannot read (" + e.getMessage() + ")");
    }
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return read(in, fileSize, file.toString());
    } catch (EOFException e) {
      throw new AmmFormatException(file + ": truncated .npy file");
    } catch (IOException e) {
      throw new AmmFormatException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  static LoadedMatrix read(InputStream in, long fileSize, String name) throws IOException {
    RowLayout layout = layout(in, fileSize, name);
    if (layout.records * (long) layout.width > MAX_ELEMENTS) {
      throw new AmmFormatException(name + ": " + layout.matrixRows() + "x" + layout.matrixCols()
          + " array is too large for one local matrix (at most " + MAX_ELEMENTS + " elements)");
    }
    return new LoadedMatrix(layout.readLocal(in), layout.dtype == DType.F4);
  }

  /**
   * Reads and checks the header of a 2-D .npy file from a stream, leaving the stream at the first
   * data byte: a C-order array's records are its rows, a Fortran-order array's its columns.
   */
  static RowLayout layout(InputStream in, long fileSize, String name) throws IOException {
    byte[] magic = readFully(in, 8);
    for (int i = 0; i < MAGIC.length; i++) {
      if (magic[i] != MAGIC[i]) {
        throw new AmmFormatException(name + ": not a .npy file (bad magic number)");
      }
    }
    int major = magic[6] & 0xff;
    if (major < 1 || major > 3) {
      throw new AmmFormatException(name + ": unsupported .npy format version " + major + "." + (magic[7] & 0xff));
    }
    byte[] lenBytes = readFully(in, major == 1 ? 2 : 4);
    ByteBuffer lb = ByteBuffer.wrap(major == 1 ? new byte[] {lenBytes[0], lenBytes[1], 0, 0} : lenBytes)
        .order(ByteOrder.LITTLE_ENDIAN);
    long headerLen = lb.getInt() & 0xffffffffL;
    long dataOffset = 8 + lenBytes.length + headerLen;
    if (dataOffset > fileSize) {
      throw new AmmFormatException(name + ": truncated .npy file (header length " + headerLen
          + " exceeds the file size " + fileSize + ")");
    }
    String header = new String(readFully(in, (int) headerLen),
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = entry(header, "descr");
    String order = entry(header, "fortran_order");
    String shapeText = entry(header, "shape");
    if (descr == null || order == null || shapeText == null || !order.matches("True|False")
        || !shapeText.startsWith("(")) {
      throw new AmmFormatException(name + ": malformed .npy header " + AmmFormatException.printable(header.strip(), 120));
    }
    DType dtype = dtype(descr, name);
    boolean fortran = order.equals("True");
    long[] shape = parseShape(shapeText.substring(1, shapeText.length() - 1), name);
    if (shape.length != 2) {
      throw new AmmFormatException(name + ": expected a 2-D array, got shape ("
          + AmmFormatException.printable(shapeText.substring(1, shapeText.length() - 1).strip(), 60) + ")");
    }
    long rows = shape[0];
    long cols = shape[1];
    long bytes;
    try {
      bytes = Math.multiplyExact(Math.multiplyExact(rows, cols), (long) dtype.size);
    } catch (ArithmeticException e) {
      throw new AmmFormatException(name + ": shape " + rows + "x" + cols + " overflows");
    }
    long available = fileSize - dataOffset;
    if (bytes > available) {
      throw new AmmFormatException(name + ": truncated .npy file (shape " + rows + "x" + cols + " needs "
          + bytes + " data bytes, the file holds " + available + ")");
    }
    if (bytes < available) {
      throw new AmmFormatException(name + ": " + (available - bytes) + " unexpected bytes after the "
          + rows + "x" + cols + " array");
    }
    long width = fortran ? rows : cols;
    if (width > MAX_ELEMENTS) {
      throw new AmmFormatException(name + ": " + rows + "x" + cols + " array has records too long to read");
    }
    return new RowLayout(name, fortran ? cols : rows, (int) width, dataOffset, 0, dtype, unquote(descr).startsWith(">"), fortran);
  }

  /**
   * The value of {@code key} in the header's Python dict literal, as written: a quoted string
   * (quotes kept), a bracketed list or parenthesized tuple (brackets kept, nesting and quoted text
   * inside respected), or a bare word; null if the key is absent or the value unterminated.
   */
  static String entry(String header, String key) {
    int k = Math.max(header.indexOf("'" + key + "'"), header.indexOf("\"" + key + "\""));
    if (k < 0) {
      return null;
    }
    int i = header.indexOf(':', k + key.length() + 2);
    if (i < 0) {
      return null;
    }
    do {
      i++;
    } while (i < header.length() && Character.isWhitespace(header.charAt(i)));
    int depth = 0;
    char quote = 0;
    for (int j = i; j < header.length(); j++) {
      char c = header.charAt(j);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
          if (depth == 0) {
            return header.substring(i, j + 1);
          }
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '[' || c == '(') {
        depth++;
      } else if (c == ']' || c == ')') {
        if (--depth == 0) {
          return header.substring(i, j + 1);
        }
      } else if (depth == 0 && (c == ',' || c == '}')) {
        return header.substring(i, j).strip();
      }
    }
    return null;
  }

  private static String unquote(String s) {
    boolean quoted = s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"') && s.charAt(s.length() - 1) == s.charAt(0);
    return quoted ? s.substring(1, s.length() - 1) : s;
  }

  /**
   * The element type a descr names, or a message saying why the well-formed array is not a
   * matrix: object, string, datetime64, timedelta64, void and structured dtypes are refused by name.
   */
  private static DType dtype(String raw, String name) {
    if (raw.startsWith("[")) {
      throw new AmmFormatException(name + ": structured dtype " + AmmFormatException.printable(raw, 120)
          + " not supported: a matrix holds one numeric type (numpy.lib.recfunctions.structured_to_unstructured"
          + " makes one)");
    }
    String descr = unquote(raw);
    Matcher m = SIMPLE.matcher(descr);
    String shown = AmmFormatException.printable(descr, 40);
    if (!m.matches()) {
      throw new AmmFormatException(name + ": malformed dtype '" + shown + "' in .npy header");
    }
    switch (m.group(2).charAt(0)) {
      case 'O':
        throw new AmmFormatException(name + ": object arrays are not matrices (dtype '" + shown
            + "' holds pickled Python objects; save a numeric array, e.g. a.astype(float))");
      case 'M':
        throw new AmmFormatException(name + ": datetime64 arrays are not matrices (dtype '" + shown + "')");
      case 'm':
        throw new AmmFormatException(name + ": timedelta64 arrays are not matrices (dtype '" + shown + "')");
      case 'U':
      case 'S':
      case 'a':
        throw new AmmFormatException(name + ": string arrays are not matrices (dtype '" + shown + "')");
      case 'V':
        throw new AmmFormatException(name + ": void dtype '" + shown + "' (raw bytes) not supported");
      default:
        DType t = m.group(3).isEmpty() || m.group(3).length() > 2 || m.group(4) != null ? null
            : DType.numpy(m.group(2).charAt(0), Integer.parseInt(m.group(3)));
        if (t == null) {
          throw new AmmFormatException(name + ": unsupported dtype '" + shown
              + "' (supported: float16, float32, float64, int8-64, uint8-64, bool)");
        }
        return t;
    }
  }

  /**
   * The dimensions of a .npy header's shape tuple, without its parentheses ({@code "3, 4"}, {@code "5,"},
   * {@code ""}); a malformed or negative one is a one-line error naming {@code name}.
   */
  public static long[] parseShape(String text, String name) {
    String t = text.strip();
    if (t.isEmpty()) {
      return new long[0];
    }
    String[] parts = t.split(",");
    int n = parts[parts.length - 1].isBlank() ? parts.length - 1 : parts.length;
    long[] shape = new long[n];
    for (int i = 0; i < n; i++) {
      try {
        shape[i] = Long.parseLong(parts[i].strip().replace("L", ""));
      } catch (NumberFormatException e) {
        throw new AmmFormatException(name + ": malformed shape (" + AmmFormatException.printable(t, 60) + ") in .npy header");
      }
      if (shape[i] < 0) {
        throw new AmmFormatException(name + ": negative dimension in shape (" + AmmFormatException.printable(t, 60) + ")");
      }
    }
    return shape;
  }

  /**
   * Writes a matrix as version 1.0 {@code .npy} (float64, or float32 when asked), in the matrix's
   * own layout (Fortran order for column-major, C order for row-major), through a temporary file
   * renamed into place: a failure leaves no partial output.
   */
  public static void write(Path file, DenseMatrix m, boolean float32) {
    boolean fortran = !m.isTransposed();
    write(file, new long[] {m.numRows(), m.numCols()}, fortran, m.values(), float32 ? DType.F4 : DType.F8);
  }

  /**
   * Writes an array of any rank (a scalar when {@code shape} is empty) as {@code .npy} with the
   * values in C (row-major) order, little-endian, as {@code numpy.save} would: NumPy and PyTorch
   * users get back the shape and dtype they had. The header is padded to a multiple of 64 bytes
   * (format 1.0, or 2.0 when it exceeds 65535 bytes).
   */
  public static void write(Path file, long[] shape, double[] values, DType dtype) {
    write(file, shape, false, values, dtype);
  }

  private static void write(Path file, long[] shape, boolean fortran, double[] values, DType dtype) {
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(dims.length() > 0 ? ", " : "").append(d);
    }
    String dict = "{'descr': '" + dtype.descr() + "', 'fortran_order': " + (fortran ? "True" : "False")
        + ", 'shape': (" + dims + (shape.length == 1 ? "," : "") + "), }";
    int major = 10 + dict.length() + 1 > 65535 ? 2 : 1;
    int prefix = major == 1 ? 10 : 12;
    int padded = (prefix + dict.length() + 1 + 63) / 64 * 64;
    String header = dict + " ".repeat(padded - prefix - dict.length() - 1) + "\n";
    AtomicFile.write(file, out -> {
      ByteBuffer head = ByteBuffer.allocate(prefix).order(ByteOrder.LITTLE_ENDIAN).put(MAGIC).put((byte) major).put((byte) 0);
      if (major == 1) {
        head.putShort((short) header.length());
      } else {
        head.putInt(header.length());
      }
      out.write(head.array());
      out.write(header.getBytes(StandardCharsets.ISO_8859_1));
      ByteBuffer bb = ByteBuffer.allocate(8192 * dtype.size).order(ByteOrder.LITTLE_ENDIAN);
      for (double v : values) {
        dtype.encode(bb, v);
        if (!bb.hasRemaining()) {
          out.write(bb.array(), 0, bb.position());
          bb.clear();
        }
      }
      out.write(bb.array(), 0, bb.position());
    });
  }

  private static byte[] readFully(InputStream in, int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw new EOFException();
    }
    return b;
  }
}
