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
 * NumPy's {@code .npy} format (format versions 1.0, 2.0 and 3.0) for 2-D real arrays.
 *
 * <p>Layout: the magic {@code \x93NUMPY}, major and minor version bytes, the header length (2 bytes
 * little-endian in 1.0, 4 bytes in 2.0/3.0), an ASCII (UTF-8 in 3.0) Python dict literal with
 * {@code descr}, {@code fortran_order} and {@code shape}, then the raw data. Read: float16/32/64
 * and signed/unsigned integers of 1-8 bytes, either byte order, C or Fortran order. A C-order array
 * becomes a row-major ({@code isTransposed}) {@link DenseMatrix} and a Fortran-order one a
 * column-major one, so no transposition is made. The header is checked against the file's length
 * before anything is allocated: a header that claims more data than the file holds, sizes whose
 * product overflows, or an array too large for one Java array is refused with a one-line message.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-zA-Z])(\\d+)'");
  private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
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
    Matcher d = DESCR.matcher(header);
    Matcher o = ORDER.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !o.find() || !s.find()) {
      throw new AmmFormatException(name + ": malformed .npy header " + AmmFormatException.printable(header.strip(), 120));
    }
    char order = d.group(1).charAt(0);
    DType dtype = DType.numpy(d.group(2).charAt(0), Integer.parseInt(d.group(3)));
    if (dtype == null) {
      throw new AmmFormatException(name + ": unsupported dtype '" + d.group(1) + d.group(2) + d.group(3)
          + "' (supported: float16, float32, float64, int8-64, uint8-64)");
    }
    boolean fortran = o.group(1).equals("True");
    long[] shape = parseShape(s.group(1), name);
    if (shape.length != 2) {
      throw new AmmFormatException(name + ": expected a 2-D array, got shape ("
          + AmmFormatException.printable(s.group(1).strip(), 60) + ")");
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
    return new RowLayout(name, fortran ? cols : rows, (int) width, dataOffset, 0, dtype, order == '>', fortran);
  }

  private static long[] parseShape(String text, String name) {
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
    String dict = "{'descr': '<" + (float32 ? "f4" : "f8") + "', 'fortran_order': " + (fortran ? "True" : "False")
        + ", 'shape': (" + m.numRows() + ", " + m.numCols() + "), }";
    int unpadded = 10 + dict.length() + 1;
    int padded = (unpadded + 63) / 64 * 64;
    StringBuilder header = new StringBuilder(dict);
    header.append(" ".repeat(padded - unpadded)).append('\n');
    AtomicFile.write(file, out -> {
      out.write(MAGIC);
      out.write(new byte[] {1, 0, (byte) (header.length() & 0xff), (byte) (header.length() >>> 8)});
      out.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
      double[] v = m.values();
      int itemSize = float32 ? 4 : 8;
      ByteBuffer bb = ByteBuffer.allocate(8192 * itemSize).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < v.length; i++) {
        if (float32) {
          bb.putFloat((float) v[i]);
        } else {
          bb.putDouble(v[i]);
        }
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
