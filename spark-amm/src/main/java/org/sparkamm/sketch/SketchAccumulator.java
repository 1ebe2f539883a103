package org.sparkamm.sketch;

import java.io.Serializable;

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
 */
public final class SketchAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;
  private final int rows;
  private final int width;
  private double[] colMajor;
  private double[] transposed;

  public SketchAccumulator(int rows, int width) {
    this.rows = rows;
    this.width = width;
  }

  public int rows() {
    return rows;
  }

  public int width() {
    return width;
  }

  /** Adds a dense block stored column-major: element (r, j) at {@code v[off + r + j * ld]}. */
  public void addColumnMajor(double[] v, int off, int ld, Hits h) {
    addColumnMajor(v, off, ld, h, 0, rows);
  }

  /**
   * The rows [rowFrom, rowTo) of {@link #addColumnMajor(double[], int, int, Hits)}: disjoint row
   * ranges write disjoint parts of the sketch, so they may run on different threads once
   * {@link #prepare(boolean)} has allocated the buffer.
   */
  public void addColumnMajor(double[] v, int off, int ld, Hits h, int rowFrom, int rowTo) {
    double[] dst = colMajor();
    for (int t = 0; t < h.count; t++) {
      int src = off + h.local[t] * ld;
      int out = h.bucket[t] * rows;
      double c = h.coef[t];
      for (int r = rowFrom; r < rowTo; r++) {
        dst[out + r] += c * v[src + r];
      }
    }
  }

  /** Adds a dense block stored row-major: element (r, j) at {@code v[r * ld + j]}. */
  public void addRowMajor(double[] v, int ld, Hits h) {
    addRowMajor(v, ld, h, 0, rows);
  }

  /** The rows [rowFrom, rowTo) of {@link #addRowMajor(double[], int, Hits)}; thread rules as for column-major. */
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

  /** Adds a compressed-sparse-row block (rows = outer indices, column indices = local inner indices). */
  public void addCsr(int[] rowPtrs, int[] colIndices, double[] values, int innerLen, Hits h) {
    double[] dst = transposed();
    int[] hitOf = h.bucketByLocal(innerLen);
    for (int r = 0; r < rows; r++) {
      int out = r * width;
      for (int p = rowPtrs[r]; p < rowPtrs[r + 1]; p++) {
        int t = hitOf[colIndices[p]];
        if (t >= 0) {
          dst[out + h.bucket[t]] += h.coef[t] * values[p];
        }
      }
    }
  }

  /** Adds one sparse column (a single inner index, local index 0 of {@code h}). */
  public void addSparseColumn(int[] indices, double[] values, Hits h) {
    double[] dst = colMajor();
    for (int t = 0; t < h.count; t++) {
      int out = h.bucket[t] * rows;
      double c = h.coef[t];
      for (int p = 0; p < indices.length; p++) {
        dst[out + indices[p]] += c * values[p];
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

  private static void add(double[] into, double[] from) {
    for (int i = 0; i < into.length; i++) {
      into[i] += from[i];
    }
  }

  private double[] colMajor() {
    if (colMajor == null) {
      colMajor = new double[Math.multiplyExact(rows, width)];
    }
    return colMajor;
  }

  private double[] transposed() {
    if (transposed == null) {
      transposed = new double[Math.multiplyExact(rows, width)];
    }
    return transposed;
  }
}
