package org.sparkamm.io;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.sparkamm.error.AmmFormatException;

/**
 * Matrix Market files (NIST; Boisvert, Pozo, Remington, "The Matrix Market exchange formats"):
 * {@code coordinate} and {@code array} formats; {@code real}, {@code integer} and {@code pattern}
 * fields (pattern entries are 1); {@code general}, {@code symmetric} and {@code skew-symmetric}
 * storage (the other triangle is filled in, negated for skew; the standard stores the lower
 * triangle, but files written with the upper one, such as LibAMM's toy.mtx, are mirrored the same
 * way, as SciPy does). Comment lines ({@code %}) and blank lines are skipped wherever they appear;
 * duplicate coordinate entries are summed. The size line is checked (the entry count is possible)
 * before anything is allocated, and the number of entries read must match it. Errors name the file
 * and line (or, for the distributed reader, the byte offset of the line).
 *
 * <p>{@link #header} and {@link #entry} are shared by the local reader here and the distributed
 * one, which reads text splits in the executors.
 */
public final class MatrixMarket {
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private MatrixMarket() {}

  /** What the banner and size line say, and where the entries start. */
  public static final class Header implements Serializable {
    private static final long serialVersionUID = 1L;
    public final String file;
    public final long rows;
    public final long cols;
    /** Entries stored in the file (for array format: the values listed). */
    public final long entries;
    public final boolean coordinate;
    public final boolean pattern;
    public final boolean symmetric;
    public final boolean skew;
    /** Byte offset of the first line after the size line; lines before the size line number {@link #linesRead}. */
    public final long dataOffset;
    public final int linesRead;

    Header(String file, long rows, long cols, long entries, boolean coordinate, boolean pattern, boolean symmetric,
        boolean skew, long dataOffset, int linesRead) {
      this.file = file;
      this.rows = rows;
      this.cols = cols;
      this.entries = entries;
      this.coordinate = coordinate;
      this.pattern = pattern;
      this.symmetric = symmetric;
      this.skew = skew;
      this.dataOffset = dataOffset;
      this.linesRead = linesRead;
    }

    private static long start(long j, long m) {
      return j * m - j * (j - 1) / 2;
    }

    /** True for the symmetric and skew-symmetric storages, whose off-diagonal entries are mirrored. */
    public boolean mirrored() {
      return symmetric || skew;
    }

    /** Row and column of the t-th value of an array-format file (column-major over the stored part). */
    public long[] arrayPosition(long t) {
      if (!mirrored()) {
        return new long[] {t % rows, t / rows};
      }
      // Column j stores m - j values (m = rows, or rows - 1 for skew), starting at
      // S(j) = j m - j (j - 1) / 2; the column of t is the largest j with S(j) <= t.
      long m = skew ? rows - 1 : rows;
      double b = 2.0 * m + 1;
      long j = (long) Math.max(0, Math.floor((b - Math.sqrt(Math.max(0, b * b - 8.0 * t))) / 2));
      while (j > 0 && start(j, m) > t) {
        j--;
      }
      while (start(j + 1, m) <= t) {
        j++;
      }
      return new long[] {j + (skew ? 1 : 0) + (t - start(j, m)), j};
    }
  }

  public static DenseMatrix read(Path file) {
    String name = file.toString();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      Header h = header(in, name);
      return readEntries(new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)), h);
    } catch (NoSuchFileException e) {
      throw new AmmFormatException(name + ": no such file");
    } catch (IOException e) {
      throw new AmmFormatException(name + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** Reads the banner and the size line, byte by byte, leaving {@code in} at the first entry line. */
  public static Header header(InputStream in, String name) throws IOException {
    long[] offset = {0};
    String banner = line(in, offset, name);
    if (banner == null || !banner.regionMatches(true, 0, "%%MatrixMarket", 0, 14)) {
      throw new AmmFormatException(name + ": not a Matrix Market file (no %%MatrixMarket header)");
    }
    String[] h = banner.trim().toLowerCase(Locale.ROOT).split("\\s+");
    if (h.length != 5 || !h[1].equals("matrix")) {
      throw new AmmFormatException(name + ":1: malformed header '" + AmmFormatException.printable(banner.trim(), 80) + "'");
    }
    boolean coordinate = h[2].equals("coordinate");
    if (!coordinate && !h[2].equals("array")) {
      throw new AmmFormatException(name + ":1: unknown format '" + AmmFormatException.printable(h[2], 40)
          + "' (coordinate or array)");
    }
    String field = h[3];
    if (!field.equals("real") && !field.equals("integer") && !field.equals("pattern") && !field.equals("double")) {
      throw new AmmFormatException(name + ":1: unsupported field '" + AmmFormatException.printable(field, 40)
          + "' (real, integer or pattern)");
    }
    boolean pattern = field.equals("pattern");
    if (pattern && !coordinate) {
      throw new AmmFormatException(name + ":1: a pattern matrix must use the coordinate format");
    }
    String symmetry = h[4];
    boolean symmetric = symmetry.equals("symmetric");
    boolean skew = symmetry.equals("skew-symmetric");
    if (!symmetric && !skew && !symmetry.equals("general")) {
      throw new AmmFormatException(name + ":1: unsupported symmetry '" + AmmFormatException.printable(symmetry, 40)
          + "' (general, symmetric or skew-symmetric)");
    }
    int lineNo = 1;
    String sizeLine;
    do {
      sizeLine = line(in, offset, name);
      lineNo++;
    } while (sizeLine != null && isSkipped(sizeLine));
    if (sizeLine == null) {
      throw new AmmFormatException(name + ": truncated (no size line)");
    }
    String[] sz = sizeLine.trim().split("\\s+");
    if (sz.length != (coordinate ? 3 : 2)) {
      throw new AmmFormatException(name + ":" + lineNo + ": malformed size line '"
          + AmmFormatException.printable(sizeLine.trim(), 80) + "'");
    }
    long rows = parseLong(sz[0], name + ":" + lineNo);
    long cols = parseLong(sz[1], name + ":" + lineNo);
    long entries = coordinate ? parseLong(sz[2], name + ":" + lineNo) : 0;
    if (rows < 0 || cols < 0 || entries < 0) {
      throw new AmmFormatException(name + ":" + lineNo + ": negative size");
    }
    if ((symmetric || skew) && rows != cols) {
      throw new AmmFormatException(name + ":" + lineNo + ": a " + symmetry + " matrix must be square, got "
          + rows + "x" + cols);
    }
    boolean possible;
    try {
      possible = !coordinate || entries <= Math.multiplyExact(rows, cols);
    } catch (ArithmeticException e) {
      possible = true;
    }
    if (!possible) {
      throw new AmmFormatException(name + ":" + lineNo + ": " + entries + " entries cannot fit a " + rows + "x"
          + cols + " matrix");
    }
    if (!coordinate) {
      entries = symmetric ? rows * (rows + 1) / 2 : skew ? rows * (rows - 1) / 2 : rows * cols;
    }
    return new Header(name, rows, cols, entries, coordinate, pattern, symmetric, skew, offset[0], lineNo);
  }

  /**
   * Parses one coordinate entry line into {row, col} (0-based) and its value; {@code where} names
   * the line in messages ("file:12" or "file at byte 4096").
   */
  public static double entry(Header h, String line, String where, long[] rowCol) {
    String[] f = line.trim().split("\\s+");
    if (f.length != (h.pattern ? 2 : 3)) {
      throw new AmmFormatException(where + ": malformed entry '" + AmmFormatException.printable(line.trim(), 80) + "'");
    }
    long i = parseLong(f[0], where);
    long j = parseLong(f[1], where);
    if (i < 1 || i > h.rows || j < 1 || j > h.cols) {
      throw new AmmFormatException(where + ": index (" + i + ", " + j + ") is outside the " + h.rows + "x" + h.cols
          + " matrix");
    }
    if (h.skew && i == j) {
      throw new AmmFormatException(where + ": a skew-symmetric matrix has no diagonal entries");
    }
    rowCol[0] = i - 1;
    rowCol[1] = j - 1;
    return h.pattern ? 1.0 : parseDouble(f[2], where);
  }

  /** Parses one array-format value line. */
  public static double value(String line, String where) {
    String t = line.trim();
    if (t.indexOf(' ') >= 0 || t.indexOf('\t') >= 0) {
      throw new AmmFormatException(where + ": malformed value '" + AmmFormatException.printable(t, 80) + "'");
    }
    return parseDouble(t, where);
  }

  /** Comment and blank lines. */
  public static boolean isSkipped(String line) {
    String t = line.trim();
    return t.isEmpty() || t.charAt(0) == '%';
  }

  private static DenseMatrix readEntries(BufferedReader in, Header h) throws IOException {
    if (h.rows > 0 && h.cols > MAX_ELEMENTS / h.rows) {
      throw new AmmFormatException(h.file + ": " + h.rows + "x" + h.cols
          + " matrix is too large for one local matrix (at most " + MAX_ELEMENTS + " elements; load it on Spark)");
    }
    int r = (int) h.rows;
    double[] v = new double[(int) (h.rows * h.cols)];
    long[] rc = new long[2];
    long read = 0;
    int lineNo = h.linesRead;
    String line;
    while ((line = in.readLine()) != null) {
      lineNo++;
      if (isSkipped(line)) {
        continue;
      }
      String where = h.file + ":" + lineNo;
      if (read == h.entries) {
        throw new AmmFormatException(where + ": more entries than the " + h.entries + " declared");
      }
      double x;
      if (h.coordinate) {
        x = entry(h, line, where, rc);
      } else {
        x = value(line, where);
        long[] pos = h.arrayPosition(read);
        rc[0] = pos[0];
        rc[1] = pos[1];
      }
      int i = (int) rc[0];
      int j = (int) rc[1];
      v[i + j * r] += x;
      if (h.mirrored() && i != j) {
        v[j + i * r] += h.skew ? -x : x;
      }
      read++;
    }
    if (read < h.entries) {
      throw new AmmFormatException(h.file + ": truncated (" + h.entries + " entries declared, " + read + " found)");
    }
    return new DenseMatrix(r, (int) h.cols, v);
  }

  /** One line as ASCII, counting the bytes consumed (newline included); null at the end. */
  private static String line(InputStream in, long[] offset, String name) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      offset[0]++;
      if (c == '\n') {
        return sb.toString();
      }
      if (c >= 0x80) {
        throw new AmmFormatException(name + ": not a Matrix Market file (not ASCII text)");
      }
      if (sb.length() < 4096) {
        sb.append((char) c);
      }
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  private static long parseLong(String s, String where) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new AmmFormatException(where + ": '" + AmmFormatException.printable(s, 40) + "' is not an integer");
    }
  }

  private static double parseDouble(String s, String where) {
    try {
      double d = Double.parseDouble(s);
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new AmmFormatException(where + ": '" + AmmFormatException.printable(s, 40) + "' is not a finite number");
    }
  }
}
