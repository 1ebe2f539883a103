package org.sparkamm.spark;

import java.util.Collections;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.DenseVector;
import org.apache.spark.mllib.linalg.SparseVector;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.sparkamm.algo.CodebookAlgorithm;
import org.sparkamm.algo.Timed;
import org.sparkamm.codebook.Codebook;
import org.sparkamm.codebook.Encoder;
import org.sparkamm.codebook.PartialCodes;
import org.sparkamm.codebook.Tables;

/**
 * The codebook methods ({@link CodebookAlgorithm}) for the row-aligned product X^T Y (X k x m,
 * Y k x p): A = X^T, whose rows are X's columns, each spread over every partition of X. So each
 * task adds its rows of X into one {@link PartialCodes} of all m columns (row i of X enters subspace
 * c(i) through K multiply-adds per value, or as a compared coordinate of pq-hash's tree), and the
 * partials are summed by {@link OrderedReduce}: m x C x W numbers per task cross the network, W = K,
 * l_A or 4, never X itself. Y's rows build the tables T_c = P_c Y_c (C K p numbers per task), or
 * for vq/pq Y's column codes the same way as X's. The driver picks the codes and does the lookups,
 * O(m p C), and returns the local m x p result. The codebook broadcast is destroyed afterwards.
 */
public final class CodebookRowAligned {
  private CodebookRowAligned() {}

  public static Timed<DenseMatrix> multiply(CodebookAlgorithm algo, IndexedRowMatrix x, IndexedRowMatrix y) {
    Codebook cb = algo.codebook();
    long n = x.numRows();
    int m = Math.toIntExact(x.numCols());
    int p = Math.toIntExact(y.numCols());
    cb.subspaces().check(n, algo.tag());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(x.rows().sparkContext());
    ProductClock clock = new ProductClock(jsc);
    Broadcast<Codebook> bc = jsc.broadcast(cb);
    try {
      int[] codesA = codes(cb, coalesced(x.rows().toJavaRDD(), jsc), bc, false, m);
      long buildA = clock.lap();
      double[] c;
      long buildB;
      if (cb.twoSided()) {
        int[] codesB = codes(cb, coalesced(y.rows().toJavaRDD(), jsc), bc, true, p);
        buildB = clock.lap();
        c = cb.multiplyCodes(codesA, m, codesB, p);
      } else {
        Tables tables = OrderedReduce.reduce(coalesced(y.rows().toJavaRDD(), jsc).mapPartitions(it -> {
          Codebook book = bc.value();
          Tables t = Tables.of(book, p);
          while (it.hasNext()) {
            IndexedRow row = it.next();
            Vector v = Vectors2.checked(row, p);
            if (v instanceof DenseVector) {
              t.addInner(book, row.index(), ((DenseVector) v).values());
            } else {
              t.addInner(book, row.index(), ((SparseVector) v).indices(), ((SparseVector) v).values());
            }
          }
          return Collections.singletonList(t).iterator();
        }), Tables::merge);
        buildB = clock.lap();
        c = tables.lookup(codesA, m);
      }
      long fab = clock.lap();
      return new Timed<>(new DenseMatrix(m, p, c), clock.breakdown(buildA, buildB, fab, 0));
    } finally {
      bc.destroy(); // the result is local: nothing reads the codebook broadcast after this, on any path
    }
  }

  /** The codes of the {@code dim} columns of a row-aligned operand ({@code ofB}: B's columns). */
  private static int[] codes(Codebook cb, JavaRDD<IndexedRow> rows, Broadcast<Codebook> bc, boolean ofB, int dim) {
    PartialCodes sum = OrderedReduce.reduce(rows.mapPartitions(it -> {
      Encoder enc = bc.value().encoder(ofB);
      PartialCodes pc = enc.partial(dim);
      while (it.hasNext()) {
        IndexedRow row = it.next();
        Vector v = Vectors2.checked(row, dim);
        if (v instanceof DenseVector) {
          enc.addInner(pc, row.index(), ((DenseVector) v).values());
        } else {
          enc.addInner(pc, row.index(), ((SparseVector) v).indices(), ((SparseVector) v).values());
        }
      }
      return Collections.singletonList(pc).iterator();
    }), PartialCodes::merge);
    return cb.encoder(ofB).codes(sum);
  }

  /** At most two partitions per core: the number of partials does not grow with the input's partitioning. */
  private static JavaRDD<IndexedRow> coalesced(JavaRDD<IndexedRow> rows, JavaSparkContext jsc) {
    int target = Math.max(1, 2 * jsc.defaultParallelism());
    return rows.getNumPartitions() > target ? rows.coalesce(target) : rows;
  }
}
