package org.sparkamm.sketch;

import java.io.Serializable;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.local.ComputeBackend;

/**
 * Accumulates the sketch {@code M S^T} (rows x l, column-major) of a matrix M whose columns are
 * inner indices, block by block, in whatever layout each block arrives.
 *
 * <p>Column-major blocks (inner columns contiguous) are added column by column, an axpy of
 * {@code rows} elements per hit. Row-major blocks (each outer row contiguous across inner indices,
 * e.g. a transposed Spark block) are scattered into a transposed buffer (l x rows) so that each
 * outer row writes one contiguous stretch of l values that stays in cache; the buffer is folded in
 * once, by {@link #result()}. Accumulators of disjoint inner ranges {@link #merge} by addition,
 * which is what makes the sketch a map-side combinable, tree-aggregatable partial result.
 *
 * <p>The column-major scatter-adds and the dense-tile products run on the {@link ComputeBackend}
 * that the accumulator's {@link BackendChoice} resolves to in the JVM where they run (the choice is
 * serialized with the accumulator, the backend is not); merging and folding are plain loops.
 */
public final class SketchAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;
  private final int rows;
  private final int width;
  private final BackendChoice backendChoice;
  private transient ComputeBackend backend;
  private double[] colMajor;
  private double[] transposed;
  /** Exact squared norms of the outer rows, when tracked ({@link #trackOuterNorms()}). */
  private double[] outerNorms2;

  /** An empty rows x l sketch whose products run on this JVM's backend for {@code backend}. */
  public SketchAccumulator(int rows, int width, BackendChoice backend) {
    this.rows = rows;
    this.width = width;
    this.backendChoice = backend;
  }

  /** Also sums the exact squared norm of every outer row over all inner indices added (smp-pca). */
  public SketchAccumulator trackOuterNorms() {
    outerNorms2 = new double[rows];
    return this;
  }

  /** The squared outer-row norms array to add into, or null when not tracked. */
  public double[] outerNorms2() {
    return outerNorms2;
  }

  public int rows() {
    return rows;
  }

  public int width() {
    return width;
  }

  /**
   * Adds the hits of the rows [rowFrom, rowTo) of a column-major block, element (r, j) at
   * {@code v[off + r + j * ld]}: an axpy of the row range per hit, {@link ComputeBackend#scatterColumns}.
   * Disjoint row ranges write disjoint parts of the sketch, so they may run on different threads once
   * {@link #prepare} has allocated the buffer.
   */
  public void addColumnMajor(double[] v, int off, int ld, Hits h, int rowFrom, int rowTo) {
    backend().scatterColumns(v, off, ld, h.count, h.local, h.bucket, h.coef, rowFrom, rowTo, colMajor(), rows);
  }

  /**
   * Adds the hits of the rows [rowFrom, rowTo) of a row-major block, element (r, j) at
   * {@code v[r * ld + j]}, into the transposed buffer; thread rules as for column-major.
   */
  public void addRowMajor(double[] v, int ld, Hits h, int rowFrom, int rowTo) {
    double[] dst = transposed();
    int[] local = h.local;
    int[] bucket = h.bucket;
    double[] coef = h.coef;
    for (int r = rowFrom; r < rowTo; r++) {
      int src = r * ld;
      int out = r * width;
      for (int t = 0; t < h.count; t++) {
        dst[out + bucket[t]] += coef[t] * v[src + local[t]];
      }
    }
  }

  /** Allocates the buffer that dense blocks of this layout write, before threads share it. */
  public void prepare(boolean rowMajor) {
    if (rowMajor) {
      transposed();
    } else {
      colMajor();
    }
  }

  /** Adds a compressed-sparse-column block (columns = inner indices). */
  public void addCsc(int[] colPtrs, int[] rowIndices, double[] values, Hits h) {
    double[] dst = colMajor();
    for (int t = 0; t < h.count; t++) {
      int j = h.local[t];
      int out = h.bucket[t] * rows;
      double c = h.coef[t];
      for (int p = colPtrs[j]; p < colPtrs[j + 1]; p++) {
        dst[out + rowIndices[p]] += c * values[p];
      }
    }
  }

  /**
   * Adds the rows [rowFrom, rowTo) of a column-major block times a dense tile: the sketch gains
   * {@code M[rowFrom:rowTo, :] T^T}, T the l x len slice of S stored column-major ({@code
   * tile[t + j * l]}); one dgemm.
   */
  public void addTileColumnMajor(double[] v, int off, int ld, int len, double[] tile, int rowFrom, int rowTo) {
    backend().dgemm(false, true, rowTo - rowFrom, width, len, 1.0, v, off + rowFrom, ld, tile, 0, width, 1.0,
        colMajor(), rowFrom, rows);
  }

  /**
   * Adds the rows [rowFrom, rowTo) of a row-major block (element (r, j) at {@code v[off + r * ld + j]})
   * times a dense tile, into the transposed buffer: {@code T M^T}, one dgemm.
   */
  public void addTileRowMajor(double[] v, int off, int ld, int len, double[] tile, int rowFrom, int rowTo) {
    backend().dgemm(false, false, width, rowTo - rowFrom, len, 1.0, tile, 0, width, v, off + rowFrom * ld, ld, 1.0,
        transposed(), rowFrom * width, width);
  }

  /** Adds CSC columns [colFrom, colTo) times a dense tile whose column j - colFrom belongs to column j. */
  public void addTileCsc(int[] colPtrs, int[] rowIndices, double[] values, int colFrom, int colTo, double[] tile) {
    double[] dst = transposed();
    for (int j = colFrom; j < colTo; j++) {
      int t0 = (j - colFrom) * width;
      for (int p = colPtrs[j]; p < colPtrs[j + 1]; p++) {
        int out = rowIndices[p] * width;
        double x = values[p];
        for (int t = 0; t < width; t++) {
          dst[out + t] += x * tile[t0 + t];
        }
      }
    }
  }

  /** Adds {@code other} (same shape) into this accumulator and returns this. */
  public SketchAccumulator merge(SketchAccumulator other) {
    if (other.colMajor != null) {
      add(colMajor(), other.colMajor);
    }
    if (other.transposed != null) {
      add(transposed(), other.transposed);
    }
    if (other.outerNorms2 != null) {
      add(outerNorms2, other.outerNorms2);
    }
    return this;
  }

  /** The sketch, rows x l column-major. */
  public double[] result() {
    double[] out = colMajor();
    if (transposed != null) {
      for (int b = 0; b < width; b++) {
        for (int r = 0; r < rows; r++) {
          out[r + b * rows] += transposed[b + r * width];
        }
      }
      transposed = null;
    }
    return out;
  }

  /** The finished sketch with its outer norms. */
  public SketchedBlock finish() {
    return new SketchedBlock(result(), rows, width, outerNorms2);
  }

  /** This JVM's backend for the accumulator's choice, resolved once per instance (threads may race: same answer). */
  private ComputeBackend backend() {
    ComputeBackend b = backend;
    if (b == null) {
      b = backendChoice.backend();
      backend = b;
    }
    return b;
  }

  private static void add(double[] into, double[] from) {
    for (int i = 0; i < into.length; i++) {
      into[i] += from[i];
    }
  }

  /*
   * Threads sketching bands of one block share these buffers; a band may write the layout its slice
   * prefers rather than the one prepare() allocated (Hadamard slices always write column-major), so
   * allocation is synchronized: two bands must never each create a buffer and lose one's sums.
   */
  private synchronized double[] colMajor() {
    if (colMajor == null) {
      colMajor = new double[Math.multiplyExact(rows, width)];
    }
    return colMajor;
  }

  private synchronized double[] transposed() {
    if (transposed == null) {
      transposed = new double[Math.multiplyExact(rows, width)];
    }
    return transposed;
  }
}
