package org.sparkamm.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import scala.Tuple2;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.local.ComputeBackend;
import org.sparkamm.local.GemmTerm;

/**
 * {@code mm} on BlockMatrix inputs for a backend choice other than the CPU (where
 * {@code BlockMatrix.multiply} runs its products in breeze, out of any backend's reach): MLlib's
 * shape through {@link OutputGrid}, with each output block {@code C_IJ = sum_K A_IK B_KJ} computed
 * by the executor's backend as one {@link ComputeBackend#dgemmSum} of the pairs of blocks that meet, in
 * ascending K (a GPU keeps C_IJ on the device for the whole sum, or for each part of it that holds
 * at most 256 MiB of sparse blocks made dense). Cost 2 m n p flops in total; shuffle as {@code
 * BlockMatrix.multiply}'s: every block of A once per block column of C, every block of B once per
 * block row, plus 8 bytes per output entry per split of the inner dimension when {@code splits}
 * (MLlib's {@code numMidDimSplits}) is above 1. Sparse blocks are made dense where they meet (a device backend multiplies dense arrays). The
 * result has A's rows per block and B's columns per block; a block where no pair met is absent
 * (zero), as in MLlib; it is neither cached nor materialized.
 */
final class ExactBlockProduct {
  /** Bytes of sparse blocks made dense that one sum may hold before it is flushed (256 MiB); dense blocks are not copied. */
  private static final long MAX_DENSE_COPIES = 1L << 28;

  private ExactBlockProduct() {}

  /** A B; the caller checked that the inner dimensions and A's columns / B's rows per block agree. */
  static BlockMatrix multiply(BlockMatrix a, BlockMatrix b, int splits, BackendChoice backend) {
    OutputGrid grid = new OutputGrid(a.numRows(), b.numCols(), a.rowsPerBlock(), b.colsPerBlock(), a.numColBlocks(),
        splits);
    int parts = Math.max(a.blocks().getNumPartitions(), b.blocks().getNumPartitions());
    JavaPairRDD<Tuple2<Object, Object>, Matrix> c = grid.multiply(
        a.blocks().toJavaRDD(), t -> new int[] {row(t), row(t), col(t)},
        b.blocks().toJavaRDD(), t -> new int[] {col(t), col(t), row(t)},
        (as, bs, bi, bj, r0, rows, c0, cols) -> block(as, bs, rows, cols, backend.backend()), parts);
    return new BlockMatrix(c.rdd(), a.rowsPerBlock(), b.colsPerBlock(), a.numRows(), b.numCols());
  }

  /** The rows x cols block (column-major) from A's blocks of one block row and B's of one block column. */
  static double[] block(List<Tuple2<Tuple2<Object, Object>, Matrix>> as, List<Tuple2<Tuple2<Object, Object>, Matrix>> bs,
      int rows, int cols, ComputeBackend backend) {
    return block(as, bs, rows, cols, backend, MAX_DENSE_COPIES);
  }

  /** {@link #block} flushing its sum whenever the dense copies of sparse blocks exceed {@code maxCopies} bytes. */
  static double[] block(List<Tuple2<Tuple2<Object, Object>, Matrix>> as, List<Tuple2<Tuple2<Object, Object>, Matrix>> bs,
      int rows, int cols, ComputeBackend backend, long maxCopies) {
    Map<Integer, Tuple2<Tuple2<Object, Object>, Matrix>> bByInner = new HashMap<>();
    for (Tuple2<Tuple2<Object, Object>, Matrix> t : bs) {
      bByInner.put(row(t), t);
    }
    as.sort(Comparator.comparingInt(ExactBlockProduct::col));
    double[] c = new double[Math.multiplyExact(rows, cols)];
    List<GemmTerm> terms = new ArrayList<>();
    long copied = 0;
    for (Tuple2<Tuple2<Object, Object>, Matrix> ta : as) {
      Tuple2<Tuple2<Object, Object>, Matrix> tb = bByInner.get(col(ta));
      if (tb == null) {
        continue;
      }
      Matrix am = ta._2();
      Matrix bm = tb._2();
      int inner = am.numCols();
      AmmArgumentException.require(am.numRows() == rows && bm.numCols() == cols && bm.numRows() == inner,
          "mm: block (%d, %d) of A is %dx%d and block (%d, %d) of B is %dx%d; output block is %dx%d",
          row(ta), col(ta), am.numRows(), inner, row(tb), col(tb), bm.numRows(), bm.numCols(), rows, cols);
      DenseMatrix ad = dense(am);
      DenseMatrix bd = dense(bm);
      copied += (ad == am ? 0L : 8L * rows * inner) + (bd == bm ? 0L : 8L * inner * cols);
      // A row-major (isTransposed) array is the column-major array of the transpose: a flag, not a copy.
      terms.add(new GemmTerm(ad.isTransposed(), bd.isTransposed(), inner, ad.values(), 0, ad.isTransposed() ? inner : rows,
          bd.values(), 0, bd.isTransposed() ? cols : inner));
      if (copied > maxCopies) { // sparse blocks made dense: sum what is held, then let them go
        backend.dgemmSum(rows, cols, terms, c, 0, rows);
        terms.clear();
        copied = 0;
      }
    }
    backend.dgemmSum(rows, cols, terms, c, 0, rows);
    return c;
  }

  private static int row(Tuple2<Tuple2<Object, Object>, Matrix> t) {
    return (Integer) t._1()._1();
  }

  private static int col(Tuple2<Tuple2<Object, Object>, Matrix> t) {
    return (Integer) t._1()._2();
  }

  private static DenseMatrix dense(Matrix x) {
    return x instanceof DenseMatrix ? (DenseMatrix) x : ((SparseMatrix) x).toDense();
  }
}
