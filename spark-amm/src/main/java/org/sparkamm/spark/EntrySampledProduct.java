package org.sparkamm.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.DenseVector;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.apache.spark.mllib.linalg.SparseVector;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import org.sparkamm.algo.AmmAlgorithm;
import org.sparkamm.algo.Timed;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.SparseOuterProducts;
import org.sparkamm.sketch.EntrySampler;
import org.sparkamm.sketch.Side;

/**
 * Element-wise sampling ({@code ews}, see {@code algo.ElementWiseSampling}) on Spark: C = Ahat Bhat,
 * Ahat and Bhat sampled entry by entry from A and B where the entries lie, multiplied sparse by
 * sparse. Every coin is a function of (seed, global row, global column) and every tau of its row's
 * values only, so the result equals the local engine's for any blocking and partitioning (up to the
 * rounding of the row sums behind the taus).
 *
 * <p><b>BlockMatrix A (m x n) times BlockMatrix B (n x p).</b>
 * <ol>
 *   <li>Taus: water-filling passes ({@link EntrySampler.WaterFilling}) over A's blocks, each block
 *   adding the statistics of its rows (4 doubles per row, rows still unsettled only) into one array
 *   per block row I, summed by {@code reduceByKey} and collected to the driver, which updates the
 *   m taus and broadcasts them for the next pass; likewise B's p column taus. A pass shuffles 32
 *   bytes per row and task holding it; most rows settle in the first pass or two.
 *   <li>Sampling: each block is sampled in place into a CSC {@code SparseMatrix} over its inner
 *   columns (B's blocks through their transpose, so that both are stored by inner index), with the
 *   final taus broadcast. A's samples are cut along B's inner block grid (a no-op when A's columns
 *   per block equal B's rows per block, which MLlib's {@code multiply} requires and this does not);
 *   empty pieces are dropped.
 *   <li>Product: every kept piece of A's block row I is sent to the output blocks (I, J) of all J,
 *   every piece of B's block column J to (I, J) of all I (one cogroup), and each output block is
 *   summed there as {@code C_IJ = sum_K sum_i ahat_i bhat_i^T}, sparse by sparse, K and i ascending
 *   (the local engine's order). The shuffle carries only kept entries, about
 *   {@code 12 (m l nJ + p l nI)} bytes plus framing for nI x nJ output blocks: no dense partial
 *   product crosses the network, where a join by inner block K followed by {@code reduceByKey(I, J)}
 *   would ship one dense m_I x p_J partial per (I, J) and task, up to the partition count times
 *   the size of C.
 * </ol>
 * The result has A's rows per block and B's columns per block, is cached and materialized, and is
 * the caller's to unpersist; an output block with no kept entry on one side is absent (zero), as in
 * MLlib. The pass broadcasts are destroyed after each pass; the final taus are only unpersisted
 * from the executors, because the result's lineage reads them (a lost cached block is recomputed
 * from it). A and B are read once per water-filling pass plus once to sample: cache them if they
 * are expensive to recompute.
 *
 * <p><b>Row-aligned X^T Y</b> (X: n x m, Y: n x p, sharing the row index; A = X^T, so entry (r, i) of
 * A is X[i][r], and B = Y): the taus of X's m columns and Y's p columns by {@link OrderedReduce}
 * passes; each row sampled into a sparse vector (the coin of X[i][r] has index r n + i, that of
 * Y[i][c] index i p + c, as for A and B); the sampled rows of X and Y joined by index (a shuffle of
 * only the kept entries); the outer products of each pair summed per partition into m x p and
 * tree-reduced.
 */
public final class EntrySampledProduct {
  private EntrySampledProduct() {}

  /** C ~ AB for BlockMatrix A (m x n) and B (n x p), sketch size l (see the class comment). */
  public static Timed<BlockMatrix> multiply(AmmAlgorithm algo, BlockMatrix a, BlockMatrix b, int l, long seed) {
    long m = a.numRows();
    long n = a.numCols();
    long p = b.numCols();
    AmmArgumentException.require(n == b.numRows(),
        "inner dimensions differ: A is %dx%d, B is %dx%d", m, n, b.numRows(), p);
    int rows = tauCount(m, "rows of A");
    int cols = tauCount(p, "columns of B");
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(a.blocks().sparkContext());
    ProductClock clock = new ProductClock(jsc);
    int rpbA = a.rowsPerBlock();
    int cpbA = a.colsPerBlock();
    int rpbB = b.rowsPerBlock();
    int cpbB = b.colsPerBlock();
    JavaPairRDD<Tuple2<Object, Object>, Matrix> aBlocks = JavaPairRDD.fromJavaRDD(a.blocks().toJavaRDD());
    JavaPairRDD<Tuple2<Object, Object>, Matrix> bBlocks = JavaPairRDD.fromJavaRDD(b.blocks().toJavaRDD());
    Broadcast<double[]> heldTauA = null;
    Broadcast<double[]> heldTauB = null;
    JavaPairRDD<Integer, Tuple2<Integer, SparseMatrix>> aPieces = null;
    JavaPairRDD<Integer, Tuple2<Integer, SparseMatrix>> bPieces = null;
    JavaPairRDD<Tuple2<Object, Object>, Matrix> cBlocks = null;
    boolean done = false;
    try {
      Broadcast<double[]> tauA = jsc.broadcast(blockTaus(jsc, aBlocks, Side.A, rpbA, rows, l));
      heldTauA = tauA;
      long keyA = EntrySampler.coinKey(seed, Side.A);
      aPieces = aBlocks.flatMapToPair(e -> {
        int bi = (Integer) e._1()._1();
        int bk = (Integer) e._1()._2();
        long colStart = (long) bk * cpbA;
        SparseMatrix s = EntrySampler.sample(e._2(), (long) bi * rpbA, colStart, n, 1, tauA.value(), bi * rpbA, keyA);
        List<Tuple2<Integer, Tuple2<Integer, SparseMatrix>>> out = new ArrayList<>();
        for (Tuple2<Integer, SparseMatrix> piece : cutToGrid(s, colStart, rpbB, n)) {
          out.add(new Tuple2<>(bi, piece));
        }
        return out.iterator();
      }).persist(StorageLevel.MEMORY_AND_DISK());
      aPieces.count();
      long buildA = clock.lap();

      Broadcast<double[]> tauB = jsc.broadcast(blockTaus(jsc, bBlocks, Side.B, cpbB, cols, l));
      heldTauB = tauB;
      long keyB = EntrySampler.coinKey(seed, Side.B);
      bPieces = bBlocks.flatMapToPair(e -> {
        int bk = (Integer) e._1()._1();
        int bj = (Integer) e._1()._2();
        SparseMatrix s = EntrySampler.sample(e._2().transpose(), (long) bj * cpbB, (long) bk * rpbB, 1, p,
            tauB.value(), bj * cpbB, keyB);
        return s.values().length == 0 ? Collections.emptyIterator()
            : Collections.singletonList(new Tuple2<>(bj, new Tuple2<>(bk, s))).iterator();
      }).persist(StorageLevel.MEMORY_AND_DISK());
      bPieces.count();
      long buildB = clock.lap();

      int nI = Math.toIntExact((m + rpbA - 1) / rpbA);
      int nJ = Math.toIntExact((p + cpbB - 1) / cpbB);
      JavaPairRDD<Tuple2<Integer, Integer>, Tuple2<Integer, SparseMatrix>> aOut = aPieces.flatMapToPair(e -> {
        List<Tuple2<Tuple2<Integer, Integer>, Tuple2<Integer, SparseMatrix>>> out = new ArrayList<>(nJ);
        for (int j = 0; j < nJ; j++) {
          out.add(new Tuple2<>(new Tuple2<>(e._1(), j), e._2()));
        }
        return out.iterator();
      });
      JavaPairRDD<Tuple2<Integer, Integer>, Tuple2<Integer, SparseMatrix>> bOut = bPieces.flatMapToPair(e -> {
        List<Tuple2<Tuple2<Integer, Integer>, Tuple2<Integer, SparseMatrix>>> out = new ArrayList<>(nI);
        for (int i = 0; i < nI; i++) {
          out.add(new Tuple2<>(new Tuple2<>(i, e._1()), e._2()));
        }
        return out.iterator();
      });
      int parts = (int) Math.max(1, Math.min((long) nI * nJ,
          Math.max(a.blocks().getNumPartitions(), b.blocks().getNumPartitions())));
      cBlocks = aOut.cogroup(bOut, new HashPartitioner(parts))
          .flatMapToPair(e -> {
            if (!e._2()._1().iterator().hasNext() || !e._2()._2().iterator().hasNext()) {
              return Collections.emptyIterator();
            }
            int bi = e._1()._1();
            int bj = e._1()._2();
            int r = (int) Math.min(rpbA, m - (long) bi * rpbA);
            int c = (int) Math.min(cpbB, p - (long) bj * cpbB);
            Tuple2<Tuple2<Object, Object>, Matrix> block = new Tuple2<>(new Tuple2<>(bi, bj),
                new DenseMatrix(r, c, outputBlock(r, c, e._2()._1(), e._2()._2())));
            return Collections.singletonList(block).iterator();
          })
          .persist(StorageLevel.MEMORY_AND_DISK());
      cBlocks.count();
      long fab = clock.lap();
      BlockMatrix result = new BlockMatrix(cBlocks.rdd(), rpbA, cpbB, m, p);
      long post = clock.lap();
      done = true;
      return new Timed<>(result, clock.breakdown(buildA, buildB, fab, post));
    } finally { // Spark's exceptions are checked ones thrown undeclared: a finally sees them all
      for (JavaPairRDD<?, ?> pieces : java.util.Arrays.asList(aPieces, bPieces)) {
        if (pieces != null) {
          pieces.unpersist(false);
        }
      }
      if (!done && cBlocks != null) {
        cBlocks.unpersist(false);
      }
      for (Broadcast<double[]> tau : java.util.Arrays.asList(heldTauA, heldTauB)) {
        if (tau != null) {
          if (done) {
            tau.unpersist(false); // the result's lineage reads it (class comment)
          } else {
            tau.destroy(); // a failure: nothing of this multiply is held by anyone
          }
        }
      }
    }
  }

  /**
   * C ~ X^T Y for X (n x m) and Y (n x p) sharing their row index, sketch size l; the result is
   * local, m x p (see the class comment).
   */
  public static Timed<DenseMatrix> multiplyRowAligned(AmmAlgorithm algo, IndexedRowMatrix x, IndexedRowMatrix y,
      int l, long seed) {
    long n = x.numRows();
    int m = Math.toIntExact(x.numCols());
    int p = Math.toIntExact(y.numCols());
    AmmArgumentException.require(n == y.numRows(),
        "row-aligned X^T Y needs the same rows: X is %dx%d, Y is %dx%d", n, m, y.numRows(), p);
    int mp = Math.multiplyExact(m, p);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(x.rows().sparkContext());
    ProductClock clock = new ProductClock(jsc);
    JavaRDD<IndexedRow> xRows = x.rows().toJavaRDD();
    JavaRDD<IndexedRow> yRows = y.rows().toJavaRDD();

    Broadcast<double[]> tauX = null;
    Broadcast<double[]> tauY = null;
    JavaPairRDD<Long, SparseVector> xs = null;
    JavaPairRDD<Long, SparseVector> ys = null;
    try {
      tauX = jsc.broadcast(columnTaus(jsc, xRows, m, l));
      long keyA = EntrySampler.coinKey(seed, Side.A);
      // A = X^T: entry (r, i) of A is X[i][r], its coin index r n + i.
      xs = sampledRows(xRows, tauX, keyA, n, 1);
      long buildA = clock.lap();
      tauY = jsc.broadcast(columnTaus(jsc, yRows, p, l));
      long keyB = EntrySampler.coinKey(seed, Side.B);
      // B = Y: entry (i, c) has coin index i p + c.
      ys = sampledRows(yRows, tauY, keyB, 1, p);
      long buildB = clock.lap();

      JavaPairRDD<Long, Tuple2<SparseVector, SparseVector>> pairs = xs.join(ys);
      double[] c;
      if (pairs.getNumPartitions() == 0) {
        c = new double[mp];
      } else {
        c = OrderedReduce.reduce(pairs.mapPartitions(it -> {
          double[] part = new double[mp];
          while (it.hasNext()) {
            Tuple2<SparseVector, SparseVector> pair = it.next()._2();
            SparseOuterProducts.add(pair._1().indices(), pair._1().values(), pair._2().indices(), pair._2().values(),
                part, m);
          }
          return Collections.singletonList(part).iterator();
        }), Vectors2::plus);
      }
      long fab = clock.lap();
      return new Timed<>(new DenseMatrix(m, p, c),
          clock.breakdown(buildA, buildB, fab, 0));
    } finally { // the result is local: nothing reads the samples or the taus after this, on any path
      for (JavaPairRDD<Long, SparseVector> sampled : java.util.Arrays.asList(xs, ys)) {
        if (sampled != null) {
          sampled.unpersist(false);
        }
      }
      for (Broadcast<double[]> tau : java.util.Arrays.asList(tauX, tauY)) {
        if (tau != null) {
          tau.destroy();
        }
      }
    }
  }

  private static int tauCount(long count, String what) {
    AmmArgumentException.require(count <= (Integer.MAX_VALUE - 8) / EntrySampler.STATS,
        "ews keeps one sampling threshold per row of A and column of B on the driver: %d %s are too many",
        count, what);
    return (int) count;
  }

  /**
   * The taus of the rows of the blocks' views (A's blocks as they are, keyed by block row; B's
   * transposed, keyed by block column), by water-filling passes.
   */
  private static double[] blockTaus(JavaSparkContext jsc, JavaPairRDD<Tuple2<Object, Object>, Matrix> blocks,
      Side side, int rowsPerBand, int rows, int l) {
    EntrySampler.WaterFilling wf = new EntrySampler.WaterFilling(rows, l);
    JavaPairRDD<Tuple2<Object, Object>, Matrix> input = BlockProduct.coalesced(blocks, jsc);
    while (!wf.finished()) {
      Broadcast<double[]> probe = jsc.broadcast(wf.probe());
      try {
        Map<Integer, double[]> byBand = input.mapPartitionsToPair(it -> {
          double[] pr = probe.value();
          Map<Integer, double[]> acc = new HashMap<>();
          while (it.hasNext()) {
            Tuple2<Tuple2<Object, Object>, Matrix> e = it.next();
            int band = (Integer) (side == Side.A ? e._1()._1() : e._1()._2());
            Matrix view = side == Side.A ? e._2() : e._2().transpose();
            int offset = band * rowsPerBand;
            if (EntrySampler.anyActive(pr, offset, view.numRows())) {
              double[] s = acc.computeIfAbsent(band, k -> new double[EntrySampler.STATS * view.numRows()]);
              EntrySampler.addStats(view, pr, offset, s);
            }
          }
          List<Tuple2<Integer, double[]>> out = new ArrayList<>(acc.size());
          acc.forEach((k, s) -> out.add(new Tuple2<>(k, s)));
          return out.iterator();
        }).reduceByKey(EntrySampler::mergeStats).collectAsMap();
        double[] stats = new double[EntrySampler.STATS * rows];
        byBand.forEach((band, s) -> System.arraycopy(s, 0, stats, EntrySampler.STATS * band * rowsPerBand, s.length));
        wf.update(stats);
      } finally {
        probe.destroy();
      }
    }
    return wf.taus();
  }

  /** The taus of the columns of a row-distributed matrix (rows of dim entries), by water-filling passes. */
  private static double[] columnTaus(JavaSparkContext jsc, JavaRDD<IndexedRow> rows, int dim, int l) {
    int target = Math.max(1, 2 * jsc.defaultParallelism());
    JavaRDD<IndexedRow> input = rows.getNumPartitions() > target ? rows.coalesce(target) : rows;
    EntrySampler.WaterFilling wf = new EntrySampler.WaterFilling(dim, l);
    while (!wf.finished()) {
      if (input.getNumPartitions() == 0) {
        wf.update(new double[EntrySampler.STATS * dim]);
        continue;
      }
      Broadcast<double[]> probe = jsc.broadcast(wf.probe());
      try {
        double[] stats = OrderedReduce.reduce(input.mapPartitions(it -> {
          double[] pr = probe.value();
          double[] s = new double[EntrySampler.STATS * dim];
          while (it.hasNext()) {
            IndexedRow row = it.next();
            Vector v = Vectors2.checked(row, dim);
            if (v instanceof DenseVector) {
              EntrySampler.addVectorStats(null, ((DenseVector) v).values(), pr, s);
            } else {
              EntrySampler.addVectorStats(((SparseVector) v).indices(), ((SparseVector) v).values(), pr, s);
            }
          }
          return Collections.singletonList(s).iterator();
        }), EntrySampler::mergeStats);
        wf.update(stats);
      } finally {
        probe.destroy();
      }
    }
    return wf.taus();
  }

  /**
   * Each row i sampled into a sparse vector, entry q with the coin of index {@code q qStride +
   * i iStride}; rows with nothing kept are dropped. Cached and materialized.
   */
  private static JavaPairRDD<Long, SparseVector> sampledRows(JavaRDD<IndexedRow> rows, Broadcast<double[]> tau,
      long coinKey, long qStride, long iStride) {
    JavaPairRDD<Long, SparseVector> sampled = rows.flatMapToPair(row -> {
      Vector v = row.vector();
      long base = row.index() * iStride;
      SparseVector s = v instanceof DenseVector
          ? EntrySampler.sampleVector(v.size(), null, ((DenseVector) v).values(), tau.value(), coinKey, base, qStride)
          : EntrySampler.sampleVector(v.size(), ((SparseVector) v).indices(), ((SparseVector) v).values(), tau.value(),
              coinKey, base, qStride);
      return s.indices().length == 0 ? Collections.emptyIterator()
          : Collections.singletonList(new Tuple2<>(row.index(), s)).iterator();
    });
    SparkMatrices.cached(sampled.rdd()); // unpersisted again when computing it fails
    return sampled;
  }

  /**
   * The sampled CSC block (columns = global inner indices from {@code colStart}) cut along B's inner
   * block grid ({@code rowsPerBlockB} per block): pieces keyed by B's inner block index K, each with
   * that block's width and the columns outside it empty; empty pieces are left out.
   */
  static List<Tuple2<Integer, SparseMatrix>> cutToGrid(SparseMatrix s, long colStart, int rowsPerBlockB, long n) {
    int[] ptr = s.colPtrs();
    long end = colStart + s.numCols();
    List<Tuple2<Integer, SparseMatrix>> out = new ArrayList<>(1);
    for (long k = colStart / rowsPerBlockB; k * rowsPerBlockB < end; k++) {
      long blockStart = k * rowsPerBlockB;
      int width = (int) Math.min(rowsPerBlockB, n - blockStart);
      int c0 = (int) (Math.max(colStart, blockStart) - colStart);
      int c1 = (int) (Math.min(end, blockStart + width) - colStart);
      if (ptr[c1] == ptr[c0]) {
        continue;
      }
      if (c0 == 0 && c1 == s.numCols() && blockStart == colStart && width == s.numCols()) {
        out.add(new Tuple2<>((int) k, s));
        continue;
      }
      int offset = (int) (colStart + c0 - blockStart);
      int[] piecePtr = new int[width + 1];
      for (int c = 0; c < width; c++) {
        // piece column c is source column c - offset + c0; those outside [c0, c1) are empty
        int upTo = Math.min(Math.max(c - offset + c0 + 1, c0), c1);
        piecePtr[c + 1] = ptr[upTo] - ptr[c0];
      }
      out.add(new Tuple2<>((int) k, new SparseMatrix(s.numRows(), width, piecePtr,
          java.util.Arrays.copyOfRange(s.rowIndices(), ptr[c0], ptr[c1]),
          java.util.Arrays.copyOfRange(s.values(), ptr[c0], ptr[c1]))));
    }
    return out;
  }

  /**
   * One output block: the sum over inner blocks K (ascending; A's pieces of one K by their first
   * column) of A's piece times B's piece, sparse by sparse.
   */
  private static double[] outputBlock(int rows, int cols, Iterable<Tuple2<Integer, SparseMatrix>> aPieces,
      Iterable<Tuple2<Integer, SparseMatrix>> bPieces) {
    Map<Integer, SparseMatrix> bByK = new HashMap<>();
    for (Tuple2<Integer, SparseMatrix> piece : bPieces) {
      bByK.put(piece._1(), piece._2());
    }
    List<Tuple2<Integer, SparseMatrix>> as = new ArrayList<>();
    aPieces.forEach(as::add);
    as.sort(Comparator.<Tuple2<Integer, SparseMatrix>>comparingInt(t -> t._1())
        .thenComparingInt(t -> firstColumn(t._2())));
    double[] c = new double[rows * cols];
    for (Tuple2<Integer, SparseMatrix> piece : as) {
      SparseMatrix bp = bByK.get(piece._1());
      if (bp != null) {
        SparseMatrix ap = piece._2();
        SparseOuterProducts.add(ap.numCols(), ap.colPtrs(), ap.rowIndices(), ap.values(), bp.colPtrs(),
            bp.rowIndices(), bp.values(), c, rows);
      }
    }
    return c;
  }

  private static int firstColumn(SparseMatrix s) {
    int[] ptr = s.colPtrs();
    int c = 0;
    while (c < s.numCols() && ptr[c + 1] == ptr[c]) {
      c++;
    }
    return c;
  }
}
