package org.sparkamm.algo;

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
  private BlockSketching() {}

  /**
   * Adds the sketch of {@code block} (columns = inner indices {@code innerStart ..}) into {@code acc}.
   */
  public static void accumulate(SketchAccumulator acc, Matrix block, long innerStart, InnerSketch sketch, Side side) {
    int inner = block.numCols();
    Hits hits = sketch.hits(innerStart, inner, side);
    if (hits.count == 0) {
      return;
    }
    if (block instanceof DenseMatrix) {
      DenseMatrix d = (DenseMatrix) block;
      if (d.isTransposed()) {
        acc.addRowMajor(d.values(), inner, hits);
      } else {
        acc.addColumnMajor(d.values(), 0, d.numRows(), hits);
      }
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
      boolean colMajor = !d.isTransposed();
      for (int j = 0; j < cols; j++) {
        for (int i = 0; i < rows; i++) {
          double x = colMajor ? v[i + j * rows] : v[j + i * cols];
          out[ofColumns ? j : i] += x * x;
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
