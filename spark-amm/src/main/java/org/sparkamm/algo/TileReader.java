package org.sparkamm.algo;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;

/**
 * Cuts a Spark local matrix (a whole matrix, or one block of a distributed one at a global offset)
 * along a global grid of b x b tiles, reading it in place in any storage: dense column- or
 * row-major, sparse CSC or CSR ({@code isTransposed}). Each non-zero piece (the part of one tile
 * that lies in this matrix) is handed over as a new dense column-major array; pieces with no
 * non-zero entry are skipped without being copied (sparse) or after one pass (dense). A piece is
 * <em>whole</em> when it is the entire tile (the tile lies inside the block); tiles that straddle
 * block boundaries come in several pieces, one per block.
 *
 * <p>Cost: one pass over the stored entries of the tiles asked for (sparse: a CSC matrix is read
 * one strip of b columns at a time, a CSR one band of b rows at a time, touching each stored entry
 * once), plus the copies of the non-zero pieces.
 */
public final class TileReader {
  /** Which pieces to hand over. */
  public enum Pieces { WHOLE, PARTIAL, ALL }

  /** Receives one non-zero piece. */
  public interface Sink {
    /**
     * @param tileRow the tile's grid row (global rows {@code [tileRow b, ...)})
     * @param tileCol the tile's grid column
     * @param rowInTile first row of the piece within its tile
     * @param colInTile first column of the piece within its tile
     * @param values the piece, rows x cols column-major, a new array the sink may keep
     */
    void accept(int tileRow, int tileCol, int rowInTile, int colInTile, int rows, int cols, double[] values);
  }

  private TileReader() {}

  /**
   * Hands over the pieces of {@code block} (at global offset (rowStart, colStart) in a totalRows x
   * totalCols matrix) cut along the global b-grid, restricted to grid rows [tileRow0, tileRow1) and
   * columns [tileCol0, tileCol1) and to the kind asked for; pieces in grid order of the storage
   * (column strips for column-major storage, row bands for row-major).
   */
  public static void read(Matrix block, long rowStart, long colStart, long totalRows, long totalCols, int b,
      long tileRow0, long tileRow1, long tileCol0, long tileCol1, Pieces kind, Sink sink) {
    int nr = block.numRows();
    int nc = block.numCols();
    if (nr == 0 || nc == 0) {
      return;
    }
    Grid g = new Grid(rowStart, colStart, nr, nc, totalRows, totalCols, b,
        Math.max(tileRow0, rowStart / b), Math.min(tileRow1, (rowStart + nr - 1) / b + 1),
        Math.max(tileCol0, colStart / b), Math.min(tileCol1, (colStart + nc - 1) / b + 1), kind);
    if (g.ti0 >= g.ti1 || g.tk0 >= g.tk1) {
      return;
    }
    if (block instanceof DenseMatrix) {
      dense((DenseMatrix) block, g, sink);
    } else if (!((SparseMatrix) block).isTransposed()) {
      csc((SparseMatrix) block, g, sink);
    } else {
      csr((SparseMatrix) block, g, sink);
    }
  }

  /** The tiles of a whole local matrix in grid rows [tileRow0, tileRow1) and columns [tileCol0, tileCol1). */
  public static void read(Matrix m, int b, long tileRow0, long tileRow1, long tileCol0, long tileCol1, Sink sink) {
    read(m, 0, 0, m.numRows(), m.numCols(), b, tileRow0, tileRow1, tileCol0, tileCol1, Pieces.WHOLE, sink);
  }

  /** True when the matrix is stored by rows (dense row-major, CSR): then bands of tile rows are read fastest. */
  public static boolean rowMajor(Matrix m) {
    return m.isTransposed();
  }

  /** The part of the grid that one block covers. */
  private static final class Grid {
    final long rowStart;
    final long colStart;
    final int nr;
    final int nc;
    final long totalRows;
    final long totalCols;
    final int b;
    final long ti0;
    final long ti1;
    final long tk0;
    final long tk1;
    final Pieces kind;

    Grid(long rowStart, long colStart, int nr, int nc, long totalRows, long totalCols, int b, long ti0, long ti1,
        long tk0, long tk1, Pieces kind) {
      this.rowStart = rowStart;
      this.colStart = colStart;
      this.nr = nr;
      this.nc = nc;
      this.totalRows = totalRows;
      this.totalCols = totalCols;
      this.b = b;
      this.ti0 = ti0;
      this.ti1 = ti1;
      this.tk0 = tk0;
      this.tk1 = tk1;
      this.kind = kind;
    }

    /** First block-local row of tile row ti inside the block. */
    int rowFrom(long ti) {
      return (int) (Math.max(ti * b, rowStart) - rowStart);
    }

    int rowTo(long ti) {
      return (int) (Math.min(Math.min((ti + 1) * b, totalRows), rowStart + nr) - rowStart);
    }

    int colFrom(long tk) {
      return (int) (Math.max(tk * b, colStart) - colStart);
    }

    int colTo(long tk) {
      return (int) (Math.min(Math.min((tk + 1) * b, totalCols), colStart + nc) - colStart);
    }

    boolean wanted(long ti, long tk) {
      if (kind == Pieces.ALL) {
        return true;
      }
      boolean whole = rowFrom(ti) + rowStart == ti * b && colFrom(tk) + colStart == tk * b
          && rowTo(ti) - rowFrom(ti) == Math.min(b, totalRows - ti * b)
          && colTo(tk) - colFrom(tk) == Math.min(b, totalCols - tk * b);
      return whole == (kind == Pieces.WHOLE);
    }

    void emit(Sink sink, long ti, long tk, double[] values) {
      sink.accept(Math.toIntExact(ti), Math.toIntExact(tk), (int) (rowFrom(ti) + rowStart - ti * b),
          (int) (colFrom(tk) + colStart - tk * b), rowTo(ti) - rowFrom(ti), colTo(tk) - colFrom(tk), values);
    }
  }

  private static void dense(DenseMatrix m, Grid g, Sink sink) {
    double[] v = m.values();
    boolean rowMajor = m.isTransposed();
    int nr = g.nr;
    int nc = g.nc;
    // Column strips for column-major storage, row bands for row-major: contiguous reads either way.
    long outer0 = rowMajor ? g.ti0 : g.tk0;
    long outer1 = rowMajor ? g.ti1 : g.tk1;
    long inner0 = rowMajor ? g.tk0 : g.ti0;
    long inner1 = rowMajor ? g.tk1 : g.ti1;
    for (long o = outer0; o < outer1; o++) {
      for (long q = inner0; q < inner1; q++) {
        long ti = rowMajor ? o : q;
        long tk = rowMajor ? q : o;
        if (!g.wanted(ti, tk)) {
          continue;
        }
        int r0 = g.rowFrom(ti);
        int r1 = g.rowTo(ti);
        int c0 = g.colFrom(tk);
        int c1 = g.colTo(tk);
        int rows = r1 - r0;
        double[] t = new double[rows * (c1 - c0)];
        boolean any = false;
        if (!rowMajor) {
          for (int cc = c0; cc < c1; cc++) {
            System.arraycopy(v, r0 + cc * nr, t, (cc - c0) * rows, rows);
          }
        } else {
          for (int r = r0; r < r1; r++) {
            int base = r * nc;
            for (int cc = c0; cc < c1; cc++) {
              t[(r - r0) + (cc - c0) * rows] = v[base + cc];
            }
          }
        }
        for (double x : t) {
          if (x != 0) {
            any = true;
            break;
          }
        }
        if (any) {
          g.emit(sink, ti, tk, t);
        }
      }
    }
  }

  /** CSC: one strip of tile columns at a time; each stored entry scattered once into its piece. */
  private static void csc(SparseMatrix m, Grid g, Sink sink) {
    int[] ptr = m.colPtrs();
    int[] idx = m.rowIndices();
    double[] v = m.values();
    int nTi = (int) (g.ti1 - g.ti0);
    for (long tk = g.tk0; tk < g.tk1; tk++) {
      int c0 = g.colFrom(tk);
      int c1 = g.colTo(tk);
      double[][] pieces = new double[nTi][];
      for (int cc = c0; cc < c1; cc++) {
        for (int e = ptr[cc]; e < ptr[cc + 1]; e++) {
          int r = idx[e];
          long ti = (g.rowStart + r) / g.b;
          if (ti < g.ti0 || ti >= g.ti1 || v[e] == 0) {
            continue;
          }
          int q = (int) (ti - g.ti0);
          if (pieces[q] == null) {
            if (!g.wanted(ti, tk)) {
              continue;
            }
            pieces[q] = new double[(g.rowTo(ti) - g.rowFrom(ti)) * (c1 - c0)];
          }
          int rows = g.rowTo(ti) - g.rowFrom(ti);
          pieces[q][(r - g.rowFrom(ti)) + (cc - c0) * rows] += v[e];
        }
      }
      for (int q = 0; q < nTi; q++) {
        if (pieces[q] != null) {
          g.emit(sink, g.ti0 + q, tk, pieces[q]);
        }
      }
    }
  }

  /** CSR (a transposed SparseMatrix): one band of tile rows at a time. */
  private static void csr(SparseMatrix m, Grid g, Sink sink) {
    int[] ptr = m.colPtrs(); // row pointers
    int[] idx = m.rowIndices(); // column indices
    double[] v = m.values();
    int nTk = (int) (g.tk1 - g.tk0);
    for (long ti = g.ti0; ti < g.ti1; ti++) {
      int r0 = g.rowFrom(ti);
      int r1 = g.rowTo(ti);
      int rows = r1 - r0;
      double[][] pieces = new double[nTk][];
      for (int r = r0; r < r1; r++) {
        for (int e = ptr[r]; e < ptr[r + 1]; e++) {
          int cc = idx[e];
          long tk = (g.colStart + cc) / g.b;
          if (tk < g.tk0 || tk >= g.tk1 || v[e] == 0) {
            continue;
          }
          int q = (int) (tk - g.tk0);
          if (pieces[q] == null) {
            if (!g.wanted(ti, tk)) {
              continue;
            }
            pieces[q] = new double[rows * (g.colTo(tk) - g.colFrom(tk))];
          }
          pieces[q][(r - r0) + (cc - g.colFrom(tk)) * rows] += v[e];
        }
      }
      for (int q = 0; q < nTk; q++) {
        if (pieces[q] != null) {
          g.emit(sink, ti, g.tk0 + q, pieces[q]);
        }
      }
    }
  }
}
