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
import java.util.zip.GZIPInputStream;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.sparkamm.error.AmmFormatException;

/**
 * Matrix Market files (NIST; Boisvert, Pozo, Remington, "The Matrix Market exchange formats"):
 * {@code coordinate} and {@code array} formats; {@code real}, {@code double}, {@code integer},
 * {@code unsigned-integer} (SciPy 1.12 and later write it; a negative value is refused) and
 * {@code pattern} fields (pattern entries are 1); {@code general}, {@code symmetric} and
 * {@code skew-symmetric} storage (the other triangle is filled in, negated for skew; the standard
 * stores the lower triangle, but files written with the upper one, such as LibAMM's toy.mtx, are
 * mirrored the same way, as SciPy does; a skew-symmetric file may list its diagonal as explicit
 * zeros, nothing else). The banner may follow leading blanks. Comment lines ({@code %}) and blank
 * lines are skipped wherever they appear. Duplicate coordinate entries are summed, as SciPy and
 * GraphBLAS do, so a file may list more entries than rows x cols. The number of entries read must
 * match the size line. A gzip-compressed file ({@code .mtx.gz}, as SuiteSparse ships matrices) is
 * recognized by its content (bytes 1f 8b) and decompressed as it is read. Errors name the file and
 * line (or, for the distributed reader, the byte offset of the line).
 *
 * <p>{@link #header}, {@link #entry} and {@link Entries} are shared by the local reader here and
 * the distributed one, which reads text splits in the executors (a gzip file in one task: gzip
 * does not split).
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
    /** The unsigned-integer field: values must not be negative. */
    public final boolean unsigned;
    public final boolean symmetric;
    public final boolean skew;
    /** Byte offset of the first line after the size line; lines before the size line number {@link #linesRead}. */
    public final long dataOffset;
    public final int linesRead;

    Header(String file, long rows, long cols, long entries, boolean coordinate, boolean pattern, boolean unsigned,
        boolean symmetric, boolean skew, long dataOffset, int linesRead) {
      this.file = file;
      this.rows = rows;
      this.cols = cols;
      this.entries = entries;
      this.coordinate = coordinate;
      this.pattern = pattern;
      this.unsigned = unsigned;
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
    try (InputStream in = decompressed(Files.newInputStream(file))) {
      Header h = header(in, name);
      return readEntries(new Entries(in, h));
    } catch (NoSuchFileException e) {
      throw new AmmFormatException(name + ": no such file");
    } catch (IOException e) {
      throw new AmmFormatException(name + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** True when the first bytes are a gzip stream's (1f 8b). */
  public static boolean isGzip(byte[] head) {
    return head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
  }

  /** True when the first bytes of a file (decompressed, if it is gzip) open with the banner, after blanks. */
  public static boolean looksLikeMatrixMarket(byte[] head) {
    int i = 0;
    while (i < head.length && (head[i] == ' ' || head[i] == '\t')) {
      i++;
    }
    return head.length - i >= 14 && new String(head, i, 14, StandardCharsets.US_ASCII).equalsIgnoreCase("%%MatrixMarket");
  }

  /** True for a Matrix Market file, plain or gzip-compressed; reads the stream's first bytes and closes it. */
  public static boolean isMatrixMarket(InputStream raw) throws IOException {
    byte[] head = new byte[64];
    int n = 0;
    try (InputStream in = decompressed(raw)) {
      for (int r; n < head.length && (r = in.read(head, n, head.length - n)) > 0; n += r) {
        // the first bytes, decompressed
      }
    } catch (java.util.zip.ZipException | java.io.EOFException e) {
      // a damaged gzip stream: judge by what it gave; reading it will say what is wrong
    }
    return looksLikeMatrixMarket(java.util.Arrays.copyOf(head, n));
  }

  /** The stream, buffered, and decompressed when its content is gzip (recognized by its first bytes). */
  public static InputStream decompressed(InputStream raw) throws IOException {
    try {
      InputStream in = new BufferedInputStream(raw, 1 << 16);
      in.mark(2);
      byte[] magic = in.readNBytes(2);
      in.reset();
      return isGzip(magic) ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }

  /** Reads the banner and the size line, byte by byte, leaving {@code in} at the first entry line. */
  public static Header header(InputStream in, String name) throws IOException {
    long[] offset = {0};
    String banner = line(in, offset, name);
    banner = banner == null ? null : banner.stripLeading();
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
    if (!field.equals("real") && !field.equals("integer") && !field.equals("unsigned-integer")
        && !field.equals("pattern") && !field.equals("double")) {
      throw new AmmFormatException(name + ":1: unsupported field '" + AmmFormatException.printable(field, 40)
          + "' (real, double, integer, unsigned-integer or pattern)");
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
    if (coordinate && entries > 0 && (rows == 0 || cols == 0)) { // duplicates may exceed rows x cols, but not 0
      throw new AmmFormatException(name + ":" + lineNo + ": " + entries + " entries cannot fit a " + rows + "x"
          + cols + " matrix");
    }
    if (!coordinate) {
      entries = symmetric ? rows * (rows + 1) / 2 : skew ? rows * (rows - 1) / 2 : rows * cols;
    }
    return new Header(name, rows, cols, entries, coordinate, pattern, field.equals("unsigned-integer"), symmetric, skew,
        offset[0], lineNo);
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
    double x = h.pattern ? 1.0 : parseDouble(f[2], where);
    if (h.skew && i == j && x != 0) {
      throw new AmmFormatException(where + ": a skew-symmetric matrix has a zero diagonal, but entry (" + i + ", " + j
          + ") is " + f[f.length - 1]);
    }
    if (h.unsigned && x < 0) {
      throw new AmmFormatException(where + ": negative value " + f[2] + " in an unsigned-integer matrix");
    }
    rowCol[0] = i - 1;
    rowCol[1] = j - 1;
    return x;
  }

  /** Parses one array-format value line. */
  public static double value(Header h, String line, String where) {
    String t = line.trim();
    if (t.indexOf(' ') >= 0 || t.indexOf('\t') >= 0) {
      throw new AmmFormatException(where + ": malformed value '" + AmmFormatException.printable(t, 80) + "'");
    }
    double x = parseDouble(t, where);
    if (h.unsigned && x < 0) {
      throw new AmmFormatException(where + ": negative value " + AmmFormatException.printable(t, 40)
          + " in an unsigned-integer matrix");
    }
    return x;
  }

  /** Comment and blank lines. */
  public static boolean isSkipped(String line) {
    String t = line.trim();
    return t.isEmpty() || t.charAt(0) == '%';
  }

  /**
   * The entries of a file one at a time, from the line after its size line: each coordinate
   * entry, or each array value placed by its index, as it is stored (the caller mirrors symmetric
   * storage). At the end the count is checked against the size line.
   */
  public static final class Entries {
    private final BufferedReader in;
    private final Header h;
    private final long[] rc = new long[2];
    private long read;
    private int lineNo;
    private double value;

    /** {@code in} is positioned after the size line (where {@link #header} leaves it). */
    public Entries(InputStream in, Header h) {
      this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII), 1 << 16);
      this.h = h;
      this.lineNo = h.linesRead;
    }

    /** Moves to the next entry; false at the end of a file whose count matched. */
    public boolean next() throws IOException {
      String line;
      do {
        line = in.readLine();
        lineNo++;
      } while (line != null && isSkipped(line));
      if (line == null) {
        if (read < h.entries) {
          throw new AmmFormatException(h.file + ": truncated (" + h.entries + " entries declared, " + read + " found)");
        }
        return false;
      }
      String where = h.file + ":" + lineNo;
      if (read == h.entries) {
        throw new AmmFormatException(where + ": more entries than the " + h.entries + " declared");
      }
      if (h.coordinate) {
        value = entry(h, line, where, rc);
      } else {
        value = MatrixMarket.value(h, line, where);
        long[] pos = h.arrayPosition(read);
        rc[0] = pos[0];
        rc[1] = pos[1];
      }
      read++;
      return true;
    }

    /** Row of the current entry (0-based). */
    public long row() {
      return rc[0];
    }

    /** Column of the current entry (0-based). */
    public long col() {
      return rc[1];
    }

    public double value() {
      return value;
    }
  }

  private static DenseMatrix readEntries(Entries e) throws IOException {
    Header h = e.h;
    if (h.rows > 0 && h.cols > MAX_ELEMENTS / h.rows) {
      throw new AmmFormatException(h.file + ": " + h.rows + "x" + h.cols
          + " matrix is too large for one local matrix (at most " + MAX_ELEMENTS + " elements; load it on Spark)");
    }
    int r = (int) h.rows;
    double[] v = new double[(int) (h.rows * h.cols)];
    while (e.next()) {
      int i = (int) e.row();
      int j = (int) e.col();
      v[i + j * r] += e.value();
      if (h.mirrored() && i != j) {
        v[j + i * r] += h.skew ? -e.value() : e.value();
      }
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
