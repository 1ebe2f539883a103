package org.sparkamm.sketch;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;

/**
 * Applies a sketch to Spark's local matrix blocks, in whichever storage they come (dense column- or
 * row-major, sparse CSC or CSR), without copying dense ones (CSR blocks are re-indexed by column). A block of A is (outer x inner); a block of B
 * is (inner x outer) and is read through its transpose, a view that flips the layout flag.
 */
public final class BlockSketching {
  /** Below this many multiply-adds a block is not worth splitting across threads. */
  private static final long PARALLEL_MIN_WORK = 1L << 20;
  /** Bands of rows per thread when a block is split. */
  private static final int BANDS_PER_THREAD = 4;
  /** Inner ranges of a column-major block sketched on several threads ({@link #accumulateInnerRanges}). */
  private static final int INNER_RANGES = 4;
  /** The largest sketch (rows x l values, 16 MB) that is split by inner ranges, each range keeping a copy. */
  private static final long INNER_RANGE_MAX_VALUES = 1L << 21;

  private BlockSketching() {}

  /**
   * Adds the sketch of {@code block} (columns = inner indices {@code innerStart ..}) into {@code acc},
   * on the calling thread, in one pass (a Spark task: its block is one of many).
   */
  public static void accumulate(SketchAccumulator acc, Matrix block, long innerStart, InnerSketch sketch, Side side) {
    accumulate(acc, block, innerStart, sketch, side, 1, false);
  }

  /**
   * As {@link #accumulate(SketchAccumulator, Matrix, long, InnerSketch, Side)} for a whole local
   * input on up to {@code threads} threads: a large dense block is split into bands of whole row
   * groups (up to {@code threads} x {@value #BANDS_PER_THREAD}), or, column-major under a per-index
   * sketch, into {@value #INNER_RANGES} inner ranges ({@link #accumulateInnerRanges}). Bands of rows
   * write disjoint entries, and whether inner ranges are used depends on the shapes only, so the
   * sketch is bit for bit the same on any number of threads.
   */
  public static void accumulate(SketchAccumulator acc, Matrix block, long innerStart, InnerSketch sketch, Side side,
      int threads) {
    accumulate(acc, block, innerStart, sketch, side, threads, true);
  }

  private static void accumulate(SketchAccumulator acc, Matrix block, long innerStart, InnerSketch sketch, Side side,
      int threads, boolean wholeInput) {
    int inner = block.numCols();
    if (acc.outerNorms2() != null) {
      addNormsSquared(block, false, acc.outerNorms2());
    }
    if (wholeInput && block instanceof DenseMatrix && !((DenseMatrix) block).isTransposed() && sketch.perIndex()
        && (long) block.numRows() * inner >= PARALLEL_MIN_WORK
        && (long) block.numRows() * sketch.width() <= INNER_RANGE_MAX_VALUES) {
      accumulateInnerRanges(acc, (DenseMatrix) block, innerStart, sketch, side, threads);
      return;
    }
    SketchSlice slice = sketch.slice(innerStart, inner, side);
    if (slice.isEmpty()) {
      return;
    }
    if (block instanceof DenseMatrix) {
      DenseMatrix d = (DenseMatrix) block;
      boolean rowMajor = d.isTransposed();
      int rows = d.numRows();
      int ld = rowMajor ? inner : rows;
      // Bands are whole row groups of the accumulator, several per thread so that a thread slowed by
      // other work does not hold up the rest (idle threads take the remaining bands).
      int groups = (rows + SketchAccumulator.ROW_GROUP - 1) / SketchAccumulator.ROW_GROUP;
      int bands = threads <= 1 || !slice.splitsByRows() || (long) rows * inner < PARALLEL_MIN_WORK ? 1
          : Math.max(1, Math.min(threads * BANDS_PER_THREAD, groups));
      IntStream range = IntStream.range(0, bands);
      (bands > 1 ? range.parallel() : range).forEach(band -> {
        int from = (int) Math.min(rows, (long) groups * band / bands * SketchAccumulator.ROW_GROUP);
        int to = (int) Math.min(rows, (long) groups * (band + 1) / bands * SketchAccumulator.ROW_GROUP);
        slice.addDense(acc, d.values(), ld, rowMajor, from, to);
      });
    } else {
      SparseMatrix s = (SparseMatrix) block;
      SparseMatrix csc = s.isTransposed() ? compressedColumns(s) : s;
      slice.addCsc(acc, csc.colPtrs(), csc.rowIndices(), csc.values());
    }
  }

  /**
   * Adds the sketches of several blocks of the same outer rows (one Spark task's blocks of one block
   * row of A, or block column of B), block k covering inner indices from {@code innerStarts[k]}.
   * Row-major dense blocks under a {@link Hits} sketch are swept row group by row group across all of
   * them ({@link SketchAccumulator#addRowMajorBlocks}): each group's part of the sketch (8 l values)
   * then stays in cache for every block, where one block at a time sweeps the whole sketch (8 m l
   * bytes) once per block (with two tasks sketching at once on the build machine's 2 cores, 49 blocks
   * of 1,024 x 1,024 took 31 ms together against 52 ms one at a time). Other blocks go one at a time.
   * Every sketch entry adds the same terms in the same order either way, so the result is bit for
   * bit that of {@link #accumulate(SketchAccumulator, Matrix, long, InnerSketch, Side)} per block,
   * given blocks of {@code acc.rows()} rows, as every block of one block row of a BlockMatrix has.
   */
  public static void accumulateBlocks(SketchAccumulator acc, List<Matrix> blocks, long[] innerStarts,
      InnerSketch sketch, Side side) {
    List<double[]> values = new ArrayList<>();
    List<Hits> hits = new ArrayList<>();
    int[] lds = new int[blocks.size()];
    for (int k = 0; k < blocks.size(); k++) {
      Matrix m = blocks.get(k);
      if (m instanceof DenseMatrix && ((DenseMatrix) m).isTransposed() && m.numRows() == acc.rows()) {
        SketchSlice slice = sketch.slice(innerStarts[k], m.numCols(), side);
        if (slice instanceof Hits) {
          if (acc.outerNorms2() != null) {
            addNormsSquared(m, false, acc.outerNorms2());
          }
          if (!slice.isEmpty()) {
            lds[values.size()] = m.numCols();
            values.add(((DenseMatrix) m).values());
            hits.add((Hits) slice);
          }
          continue;
        }
      }
      accumulate(acc, m, innerStarts[k], sketch, side);
    }
    if (!values.isEmpty()) {
      acc.addRowMajorBlocks(values, lds, hits);
    }
  }

  /**
   * A column-major block under a per-index sketch, on several threads: its inner indices are cut
   * into {@value #INNER_RANGES} contiguous ranges, each scattered (whole columns, read front to back)
   * into a sketch of its own, the first into {@code acc} itself, and the others are then added to
   * {@code acc} in range order. Cutting by inner index rather than by rows keeps every thread's reads
   * sequential (bands of rows read each column in pieces: 2.2x slower on the headline shape); the
   * number of ranges is fixed, not the number of cores, so the sums and their rounding are the same
   * on every machine. Memory: {@value #INNER_RANGES} - 1 extra sketches (bounded by {@link
   * #INNER_RANGE_MAX_VALUES} values each).
   */
  private static void accumulateInnerRanges(SketchAccumulator acc, DenseMatrix d, long innerStart, InnerSketch sketch,
      Side side, int threads) {
    int rows = d.numRows();
    int inner = d.numCols();
    SketchAccumulator[] parts = new SketchAccumulator[INNER_RANGES];
    IntStream ranges = IntStream.range(0, INNER_RANGES);
    (threads > 1 ? ranges.parallel() : ranges).forEach(k -> {
      int from = (int) ((long) inner * k / INNER_RANGES);
      int to = (int) ((long) inner * (k + 1) / INNER_RANGES);
      SketchAccumulator into = k == 0 ? acc : acc.emptyLike();
      Hits hits = (Hits) sketch.slice(innerStart + from, to - from, side); // perIndex() promises the Hits form
      if (!hits.isEmpty()) {
        into.addColumnMajor(d.values(), from * rows, rows, hits, 0, rows);
      }
      parts[k] = into;
    });
    acc.addColumnMajorParts(java.util.Arrays.copyOfRange(parts, 1, INNER_RANGES), threads);
  }

  /** The same sparse matrix stored by columns (CSC), from its row-compressed (CSR) form: O(nnz + cols). */
  static SparseMatrix compressedColumns(SparseMatrix csr) {
    int rows = csr.numRows();
    int cols = csr.numCols();
    int[] rowPtrs = csr.colPtrs(); // CSR: pointers run over rows, "row indices" are column indices
    int[] colIdx = csr.rowIndices();
    double[] v = csr.values();
    int[] ptr = new int[cols + 1];
    for (int p = 0; p < rowPtrs[rows]; p++) {
      ptr[colIdx[p] + 1]++;
    }
    for (int j = 0; j < cols; j++) {
      ptr[j + 1] += ptr[j];
    }
    int[] next = java.util.Arrays.copyOf(ptr, cols);
    int[] rowIdx = new int[rowPtrs[rows]];
    double[] values = new double[rowPtrs[rows]];
    for (int r = 0; r < rows; r++) {
      for (int p = rowPtrs[r]; p < rowPtrs[r + 1]; p++) {
        int at = next[colIdx[p]]++;
        rowIdx[at] = r;
        values[at] = v[p];
      }
    }
    return new SparseMatrix(rows, cols, ptr, rowIdx, values);
  }

  /** Squared Euclidean norm of every column of {@code m}. */
  public static double[] columnNormsSquared(Matrix m) {
    double[] out = new double[m.numCols()];
    addNormsSquared(m, true, out);
    return out;
  }

  /** Squared Euclidean norm of every row of {@code m}. */
  public static double[] rowNormsSquared(Matrix m) {
    double[] out = new double[m.numRows()];
    addNormsSquared(m, false, out);
    return out;
  }

  private static void addNormsSquared(Matrix m, boolean ofColumns, double[] out) {
    int rows = m.numRows();
    int cols = m.numCols();
    if (m instanceof DenseMatrix) {
      DenseMatrix d = (DenseMatrix) m;
      double[] v = d.values();
      // Storage runs along "lines" (columns if column-major, rows if row-major) of length len.
      boolean colMajor = !d.isTransposed();
      int lines = colMajor ? cols : rows;
      int len = colMajor ? rows : cols;
      boolean perLine = ofColumns == colMajor;
      for (int line = 0; line < lines; line++) {
        int base = line * len;
        if (perLine) {
          double s = 0;
          for (int i = 0; i < len; i++) {
            s += v[base + i] * v[base + i];
          }
          out[line] += s;
        } else {
          for (int i = 0; i < len; i++) {
            out[i] += v[base + i] * v[base + i];
          }
        }
      }
    } else {
      SparseMatrix s = (SparseMatrix) m;
      int[] ptr = s.colPtrs();
      int[] idx = s.rowIndices();
      double[] v = s.values();
      // CSC: ptr runs over columns, idx holds rows; CSR (transposed): the other way round.
      boolean ptrOverColumns = !s.isTransposed();
      int outer = ptrOverColumns ? cols : rows;
      for (int a = 0; a < outer; a++) {
        for (int p = ptr[a]; p < ptr[a + 1]; p++) {
          int target = (ptrOverColumns == ofColumns) ? a : idx[p];
          out[target] += v[p] * v[p];
        }
      }
    }
  }
}
