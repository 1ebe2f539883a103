package org.sparkamm.sketch;

import java.io.Serializable;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.local.ComputeBackend;
import org.sparkamm.random.DenseColumns;

/**
 * Accumulates the sketch {@code M S^T} (rows x l, column-major) of a matrix M whose columns are
 * inner indices, block by block, in whatever layout each block arrives.
 *
 * <p>Column-major blocks (inner columns contiguous) are added column by column, an axpy of
 * {@code rows} elements per hit. Row-major blocks (each outer row contiguous across inner indices,
 * e.g. a transposed Spark block) are scattered into a buffer of row groups ({@link #addRowMajor}), or
 * multiplied into a transposed buffer (l x rows) by dense tiles, so that writes stay in cache; the
 * buffers are folded in once, by {@link #result()}. Accumulators of disjoint inner ranges {@link #merge} by addition,
 * which is what makes the sketch a map-side combinable, tree-aggregatable partial result.
 *
 * <p>The column-major scatter-adds and the dense-sketch products run on the {@link ComputeBackend}
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
  /**
   * The hits of row-major blocks: sketch entry (r, b) at {@code (r / G) G l + b G + r mod G}, G =
   * {@value #ROW_GROUP}: the entries of one column b for a group of G rows share a cache line.
   */
  private double[] grouped;
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
   * Disjoint row ranges write disjoint parts of the sketch, so they may run on different threads (the
   * buffer is allocated once, under a lock).
   */
  public void addColumnMajor(double[] v, int off, int ld, Hits h, int rowFrom, int rowTo) {
    backend().scatterColumns(v, off, ld, h.count, h.local, h.bucket, h.coef, rowFrom, rowTo, colMajor(), rows);
  }

  /** Rows of a row-major block that {@link #addRowMajor} sketches together, sharing each hit's loads. */
  static final int ROW_GROUP = 8;

  /**
   * Adds the hits of the rows [rowFrom, rowTo) of a row-major block, element (r, j) at
   * {@code v[r * ld + j]}, into the buffer of row groups; thread rules as for column-major (bands
   * of whole groups of {@value #ROW_GROUP} rows never share a cache line).
   *
   * <p>A whole group of rows goes at once: the hits are read once for the group (not once per row),
   * the group's values of an inner index once for all its consecutive hits (s of them for sjlt), and
   * each hit updates the group's entries of its column, one cache line. Rows outside whole groups go
   * one at a time. Each entry adds its hits in order either way, so the sums are bit for bit those
   * of one row at a time.
   */
  public void addRowMajor(double[] v, int ld, Hits h, int rowFrom, int rowTo) {
    double[] dst = grouped();
    int groupSize = ROW_GROUP * width;
    int[] local = h.local;
    int[] bucket = h.bucket;
    double[] coef = h.coef;
    int r = rowFrom;
    while (r < rowTo) {
      if (r % ROW_GROUP == 0 && r + ROW_GROUP <= rowTo) {
        addRowGroup(v, ld, h, r, dst, (r / ROW_GROUP) * groupSize);
        r += ROW_GROUP;
      } else {
        int src = r * ld;
        int out = (r / ROW_GROUP) * groupSize + r % ROW_GROUP;
        for (int t = 0; t < h.count; t++) {
          dst[out + bucket[t] * ROW_GROUP] += coef[t] * v[src + local[t]];
        }
        r++;
      }
    }
  }

  /**
   * Adds several row-major blocks of these rows (block k: {@code v.get(k)}, leading dimension
   * {@code ld[k]}, hits {@code hits.get(k)}), row group by row group across the blocks, so that a
   * group's part of the buffer is read into cache once for all of them. Each entry adds block 0's
   * hits, then block 1's, ...: the sums of {@link #addRowMajor} block after block, bit for bit.
   */
  void addRowMajorBlocks(java.util.List<double[]> v, int[] ld, java.util.List<Hits> hits) {
    double[] dst = grouped();
    int whole = rows / ROW_GROUP * ROW_GROUP;
    int groupSize = ROW_GROUP * width;
    for (int r = 0; r < whole; r += ROW_GROUP) {
      for (int k = 0; k < v.size(); k++) {
        addRowGroup(v.get(k), ld[k], hits.get(k), r, dst, (r / ROW_GROUP) * groupSize);
      }
    }
    if (whole < rows) {
      for (int k = 0; k < v.size(); k++) {
        addRowMajor(v.get(k), ld[k], hits.get(k), whole, rows);
      }
    }
  }

  /** The hits of rows [r, r + ROW_GROUP) into their group, entry (row r + q, column b) at {@code base + b G + q}. */
  private static void addRowGroup(double[] v, int ld, Hits h, int r, double[] s, int base) {
    if (h.onePerIndex) { // CountSketch and sampling without skips: a loop of its own, compiled on its own
      addRowGroupOnePerIndex(v, ld, h, r, s, base);
      return;
    }
    int[] local = h.local;
    int[] bucket = h.bucket;
    double[] coef = h.coef;
    int o0 = r * ld;
    int o1 = o0 + ld;
    int o2 = o1 + ld;
    int o3 = o2 + ld;
    int o4 = o3 + ld;
    int o5 = o4 + ld;
    int o6 = o5 + ld;
    int o7 = o6 + ld;
    int count = h.count;
    int t = 0;
    while (t < count) { // the group's values of one inner index are loaded once for all its hits (s for sjlt)
      int j = local[t];
      double x0 = v[o0 + j];
      double x1 = v[o1 + j];
      double x2 = v[o2 + j];
      double x3 = v[o3 + j];
      double x4 = v[o4 + j];
      double x5 = v[o5 + j];
      double x6 = v[o6 + j];
      double x7 = v[o7 + j];
      do {
        int b = base + bucket[t] * ROW_GROUP;
        double c = coef[t];
        s[b] += c * x0;
        s[b + 1] += c * x1;
        s[b + 2] += c * x2;
        s[b + 3] += c * x3;
        s[b + 4] += c * x4;
        s[b + 5] += c * x5;
        s[b + 6] += c * x6;
        s[b + 7] += c * x7;
        t++;
      } while (t < count && local[t] == j);
    }
  }

  /** {@link #addRowGroup} when hit t is inner index t: no index lookups, and every load before the stores. */
  private static void addRowGroupOnePerIndex(double[] v, int ld, Hits h, int r, double[] s, int base) {
    int[] bucket = h.bucket;
    double[] coef = h.coef;
    int o = r * ld; // row r + q of the group starts at o + q ld
    for (int t = 0; t < h.count; t++) {
      int b = base + bucket[t] * ROW_GROUP;
      double c = coef[t];
      // all loads before the stores: each store then need not wait on a load from the same line
      double s7 = s[b + 7];
      double s0 = s[b];
      double s1 = s[b + 1];
      double s2 = s[b + 2];
      double s3 = s[b + 3];
      double s4 = s[b + 4];
      double s5 = s[b + 5];
      double s6 = s[b + 6];
      s[b] = s0 + c * v[o + t];
      s[b + 1] = s1 + c * v[o + ld + t];
      s[b + 2] = s2 + c * v[o + 2 * ld + t];
      s[b + 3] = s3 + c * v[o + 3 * ld + t];
      s[b + 4] = s4 + c * v[o + 4 * ld + t];
      s[b + 5] = s5 + c * v[o + 5 * ld + t];
      s[b + 6] = s6 + c * v[o + 6 * ld + t];
      s[b + 7] = s7 + c * v[o + 7 * ld + t];
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
   * Adds the rows [rowFrom, rowTo) of a dense block times the columns [start, start + len) of a dense
   * sketch S (the block's inner indices 0 .. len - 1), one {@link ComputeBackend#sketchProduct}: a
   * column-major block (element (r, j) at {@code v[r + j * ld]}) into the sketch, {@code M S_s^T}; a
   * row-major block (element (r, j) at {@code v[r * ld + j]}) into the transposed buffer, {@code S_s M^T}.
   */
  public void addDenseSketch(DenseColumns s, long start, int len, double[] v, int ld, boolean rowMajor,
      int rowFrom, int rowTo) {
    if (rowMajor) {
      backend().sketchProduct(s, start, len, true, rowTo - rowFrom, v, rowFrom * ld, ld, transposed(), rowFrom * width, width);
    } else {
      backend().sketchProduct(s, start, len, false, rowTo - rowFrom, v, rowFrom, ld, colMajor(), rowFrom, rows);
    }
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

  /** An empty accumulator of the same shape and backend choice (outer norms not tracked). */
  SketchAccumulator emptyLike() {
    return new SketchAccumulator(rows, width, backendChoice);
  }

  /**
   * Adds the column-major sums of {@code parts} (same shape) into this one's, in the order given for
   * every entry, so the result does not depend on how the work is split across threads below; the
   * entries are cut into slices summed on up to {@code threads} threads.
   */
  void addColumnMajorParts(SketchAccumulator[] parts, int threads) {
    double[] into = colMajor();
    int slices = 4 * Math.max(1, threads);
    java.util.stream.IntStream range = java.util.stream.IntStream.range(0, slices);
    (threads > 1 ? range.parallel() : range).forEach(c -> {
      int from = (int) ((long) into.length * c / slices);
      int to = (int) ((long) into.length * (c + 1) / slices);
      for (SketchAccumulator p : parts) {
        if (p.colMajor != null) {
          double[] v = p.colMajor;
          for (int i = from; i < to; i++) {
            into[i] += v[i];
          }
        }
      }
    });
  }

  /** A new accumulator holding the same sums (and outer norms, when tracked), for the same backend. */
  public SketchAccumulator copy() {
    SketchAccumulator c = new SketchAccumulator(rows, width, backendChoice);
    if (outerNorms2 != null) {
      c.trackOuterNorms();
    }
    return c.merge(this);
  }

  /** Adds {@code other} (same shape) into this accumulator and returns this. */
  public SketchAccumulator merge(SketchAccumulator other) {
    if (other.colMajor != null) {
      add(colMajor(), other.colMajor);
    }
    if (other.transposed != null) {
      add(transposed(), other.transposed);
    }
    if (other.grouped != null) {
      add(grouped(), other.grouped);
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
    if (grouped != null) { // group by group, column by column: one cache line read, one written
      for (int r0 = 0; r0 < rows; r0 += ROW_GROUP) {
        int groupRows = Math.min(ROW_GROUP, rows - r0);
        int from = r0 * width;
        for (int b = 0; b < width; b++) {
          int src = from + b * ROW_GROUP;
          int dst = r0 + b * rows;
          for (int q = 0; q < groupRows; q++) {
            out[dst + q] += grouped[src + q];
          }
        }
      }
      grouped = null;
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
   * Threads sketching bands of one block share these buffers, each allocated on first use by the
   * layout a slice writes (hits of a row-major block: row groups; dense tiles of one: transposed;
   * column-major blocks and Hadamard slices: column-major), so allocation is synchronized: two bands
   * must never each create a buffer and lose one's sums.
   */
  private synchronized double[] colMajor() {
    if (colMajor == null) {
      colMajor = new double[Math.multiplyExact(rows, width)];
    }
    return colMajor;
  }

  private synchronized double[] grouped() {
    if (grouped == null) {
      grouped = new double[Math.multiplyExact(Math.multiplyExact((rows + ROW_GROUP - 1) / ROW_GROUP, ROW_GROUP), width)];
    }
    return grouped;
  }

  private synchronized double[] transposed() {
    if (transposed == null) {
      transposed = new double[Math.multiplyExact(rows, width)];
    }
    return transposed;
  }
}
