package org.sparkamm.algo;

import java.util.stream.IntStream;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.sparkamm.sketch.Hits;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.Side;
import org.sparkamm.sketch.SketchAccumulator;

/**
 * Applies a sketch to Spark's local matrix blocks, in whichever storage they come (dense column- or
 * row-major, sparse CSC or CSR), without copying them. A block of A is (outer x inner); a block of B
 * is (inner x outer) and is read through its transpose, a view that flips the layout flag.
 */
public final class BlockSketching {
  /** Below this many multiply-adds a block is not worth splitting across threads. */
  private static final long PARALLEL_MIN_WORK = 1L << 20;

  private BlockSketching() {}

  /**
   * Adds the sketch of {@code block} (columns = inner indices {@code innerStart ..}) into {@code acc}.
   */
  public static void accumulate(SketchAccumulator acc, Matrix block, long innerStart, InnerSketch sketch, Side side) {
    accumulate(acc, block, innerStart, sketch, side, 1);
  }

  /**
   * As {@link #accumulate(SketchAccumulator, Matrix, long, InnerSketch, Side)}, splitting a large
   * dense block into {@code threads} bands of rows that run in parallel (for the local engine; Spark
   * tasks use one thread each, Spark runs tasks in parallel).
   */
  public static void accumulate(SketchAccumulator acc, Matrix block, long innerStart, InnerSketch sketch, Side side,
      int threads) {
    int inner = block.numCols();
    Hits hits = sketch.hits(innerStart, inner, side);
    if (hits.count == 0) {
      return;
    }
    if (block instanceof DenseMatrix) {
      DenseMatrix d = (DenseMatrix) block;
      boolean rowMajor = d.isTransposed();
      int rows = d.numRows();
      int bands = (long) rows * hits.count < PARALLEL_MIN_WORK ? 1 : Math.max(1, Math.min(threads, rows));
      acc.prepare(rowMajor);
      IntStream range = IntStream.range(0, bands);
      (bands > 1 ? range.parallel() : range).forEach(band -> {
        int from = (int) ((long) rows * band / bands);
        int to = (int) ((long) rows * (band + 1) / bands);
        if (rowMajor) {
          acc.addRowMajor(d.values(), inner, hits, from, to);
        } else {
          acc.addColumnMajor(d.values(), 0, rows, hits, from, to);
        }
      });
    } else {
      SparseMatrix s = (SparseMatrix) block;
      if (s.isTransposed()) {
        acc.addCsr(s.colPtrs(), s.rowIndices(), s.values(), inner, hits);
      } else {
        acc.addCsc(s.colPtrs(), s.rowIndices(), s.values(), hits);
      }
    }
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
