package org.sparkamm.io;

import java.io.BufferedReader;
import java.io.IOException;
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
 * way, as SciPy does). Comment lines ({@code %}) and blank
 * lines are skipped wherever they appear; duplicate coordinate entries are summed. The size line is
 * checked (dimensions fit one array, the entry count is possible) before anything is allocated, and
 * the number of entries read must match it. Errors name the file and line.
 */
public final class MatrixMarket {
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private MatrixMarket() {}

  public static DenseMatrix read(Path file) {
    String name = file.toString();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      return read(in, name);
    } catch (NoSuchFileException e) {
      throw new AmmFormatException(name + ": no such file");
    } catch (java.nio.charset.MalformedInputException e) {
      throw new AmmFormatException(name + ": not a Matrix Market file (not ASCII text)");
    } catch (IOException e) {
      throw new AmmFormatException(name + ": cannot read (" + e.getMessage() + ")");
    }
  }

  private static DenseMatrix read(BufferedReader in, String name) throws IOException {
    String header = in.readLine();
    if (header == null || !header.regionMatches(true, 0, "%%MatrixMarket", 0, 14)) {
      throw new AmmFormatException(name + ": not a Matrix Market file (no %%MatrixMarket header)");
    }
    String[] h = header.trim().toLowerCase(Locale.ROOT).split("\\s+");
    if (h.length != 5 || !h[1].equals("matrix")) {
      throw new AmmFormatException(name + ":1: malformed header '" + AmmFormatException.printable(header.trim(), 80) + "'");
    }
    boolean coordinate = h[2].equals("coordinate");
    if (!coordinate && !h[2].equals("array")) {
      throw new AmmFormatException(name + ":1: unknown format '" + AmmFormatException.printable(h[2], 40) + "' (coordinate or array)");
    }
    String field = h[3];
    if (!field.equals("real") && !field.equals("integer") && !field.equals("pattern") && !field.equals("double")) {
      throw new AmmFormatException(name + ":1: unsupported field '" + AmmFormatException.printable(field, 40) + "' (real, integer or pattern)");
    }
    boolean pattern = field.equals("pattern");
    if (pattern && !coordinate) {
      throw new AmmFormatException(name + ":1: a pattern matrix must use the coordinate format");
    }
    String symmetry = h[4];
    boolean symmetric = symmetry.equals("symmetric");
    boolean skew = symmetry.equals("skew-symmetric");
    if (!symmetric && !skew && !symmetry.equals("general")) {
      throw new AmmFormatException(name + ":1: unsupported symmetry '" + symmetry
          + "' (general, symmetric or skew-symmetric)");
    }
    int[] lineNo = {1};
    String sizeLine = nextData(in, lineNo);
    if (sizeLine == null) {
      throw new AmmFormatException(name + ": truncated (no size line)");
    }
    String[] sz = sizeLine.trim().split("\\s+");
    if (sz.length != (coordinate ? 3 : 2)) {
      throw new AmmFormatException(name + ":" + lineNo[0] + ": malformed size line '" + AmmFormatException.printable(sizeLine.trim(), 80) + "'");
    }
    long rows = parseLong(sz[0], name, lineNo[0]);
    long cols = parseLong(sz[1], name, lineNo[0]);
    long entries = coordinate ? parseLong(sz[2], name, lineNo[0]) : 0;
    if (rows < 0 || cols < 0 || entries < 0) {
      throw new AmmFormatException(name + ":" + lineNo[0] + ": negative size");
    }
    if ((symmetric || skew) && rows != cols) {
      throw new AmmFormatException(name + ":" + lineNo[0] + ": a " + symmetry + " matrix must be square, got "
          + rows + "x" + cols);
    }
    if (rows > 0 && cols > MAX_ELEMENTS / rows) {
      throw new AmmFormatException(name + ": " + rows + "x" + cols
          + " matrix is too large for one local matrix (at most " + MAX_ELEMENTS + " elements)");
    }
    if (coordinate && entries > rows * cols) {
      throw new AmmFormatException(name + ":" + lineNo[0] + ": " + entries + " entries cannot fit a " + rows + "x"
          + cols + " matrix");
    }
    int r = (int) rows;
    int c = (int) cols;
    double[] v = new double[r * c];
    if (!coordinate) {
      entries = symmetric ? (long) r * (r + 1) / 2 : skew ? (long) r * (r - 1) / 2 : (long) r * c;
    }
    long read = 0;
    int ai = symmetric ? 0 : skew ? 1 : 0; // array format: next (row, col) in column-major order of the stored part
    int aj = 0;
    String line;
    while ((line = nextData(in, lineNo)) != null) {
      if (read == entries) {
        throw new AmmFormatException(name + ":" + lineNo[0] + ": more entries than the " + entries + " declared");
      }
      String[] f = line.trim().split("\\s+");
      int i;
      int j;
      double x;
      if (coordinate) {
        if (f.length != (pattern ? 2 : 3)) {
          throw new AmmFormatException(name + ":" + lineNo[0] + ": malformed entry '" + AmmFormatException.printable(line.trim(), 80) + "'");
        }
        long li = parseLong(f[0], name, lineNo[0]);
        long lj = parseLong(f[1], name, lineNo[0]);
        if (li < 1 || li > rows || lj < 1 || lj > cols) {
          throw new AmmFormatException(name + ":" + lineNo[0] + ": index (" + li + ", " + lj + ") is outside the "
              + rows + "x" + cols + " matrix");
        }
        i = (int) li - 1;
        j = (int) lj - 1;
        x = pattern ? 1.0 : parseDouble(f[2], name, lineNo[0]);
        if (skew && i == j) {
          throw new AmmFormatException(name + ":" + lineNo[0] + ": a skew-symmetric matrix has no diagonal entries");
        }
      } else {
        if (f.length != 1) {
          throw new AmmFormatException(name + ":" + lineNo[0] + ": malformed value '" + AmmFormatException.printable(line.trim(), 80) + "'");
        }
        i = ai;
        j = aj;
        x = parseDouble(f[0], name, lineNo[0]);
        ai++;
        if (ai >= r) {
          aj++;
          ai = symmetric ? aj : skew ? aj + 1 : 0;
        }
      }
      v[i + j * r] += x;
      if ((symmetric || skew) && i != j) {
        v[j + i * r] += skew ? -x : x;
      }
      read++;
    }
    if (read < entries) {
      throw new AmmFormatException(name + ": truncated (" + entries + " entries declared, " + read + " found)");
    }
    return new DenseMatrix(r, c, v);
  }

  private static String nextData(BufferedReader in, int[] lineNo) throws IOException {
    String line;
    while ((line = in.readLine()) != null) {
      lineNo[0]++;
      String t = line.trim();
      if (!t.isEmpty() && t.charAt(0) != '%') {
        return line;
      }
    }
    return null;
  }

  private static long parseLong(String s, String name, int line) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new AmmFormatException(name + ":" + line + ": '" + AmmFormatException.printable(s, 40) + "' is not an integer");
    }
  }

  private static double parseDouble(String s, String name, int line) {
    try {
      double d = Double.parseDouble(s);
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new AmmFormatException(name + ":" + line + ": '" + AmmFormatException.printable(s, 40) + "' is not a finite number");
    }
  }
}
