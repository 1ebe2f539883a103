package org.sparkamm.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.DenseVector;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseVector;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import org.sparkamm.algo.AmmAlgorithm;
import org.sparkamm.algo.BlockLowRank;
import org.sparkamm.algo.TileReader;
import org.sparkamm.algo.Timed;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.LowRankProducts;
import org.sparkamm.local.LowRankTile;
import org.sparkamm.local.TruncatedSvd;

/**
 * Block low-rank approximation ({@code blockLRA}, see {@code algo.BlockLowRank}) on Spark: every tile
 * of A and B on the global b x b grid factored by a truncated SVD, then
 * {@code C_ij = sum_k A~_ik B~_kj} through the factors. The tiles, and so their factors, do not depend
 * on the Spark blocking or partitioning, so the result equals the local engine's up to the order of
 * floating-point sums.
 *
 * <p><b>BlockMatrix A (m x n) times BlockMatrix B (n x p).</b>
 * <ol>
 *   <li>Factoring (buildA, buildB): each tile lying inside one Spark block is read in place and
 *   factored by the task holding the block (no shuffle). A tile straddling Spark blocks (there are
 *   none when the blocks' sizes are multiples of b; otherwise those along the blocks' edges) is
 *   regrouped first: each block sends its dense piece of the tile, keyed by tile, and the tile is
 *   assembled and factored where the pieces meet. That shuffle carries 8 bytes per entry of the
 *   straddling tiles (about {@code 2 b / B} of the input for Spark blocks of side B not a multiple of
 *   b, a few per cent for B = 1024 and b = 30). Tiles of zeros give no factors.
 *   <li>Product (fABTime): only factors move. Each factored tile of A, {@code r (rows + cols + 1)}
 *   doubles, is sent to every output block of its block row(s) (one per block column of B), each of
 *   B's to every output block of its block column(s), as {@code BlockMatrix.multiply} does with whole
 *   blocks: about {@code 8 r (2b + 1) / b^2} bytes per entry of A and output block column (B
 *   likewise), a fraction {@code r (2b + 1) / b^2} of {@code BlockMatrix.multiply}'s shuffle (0.2 at
 *   the defaults b = 30, r = 3). Each output block is computed where its factors meet as
 *   {@code sum_k A~_ik B~_kj}, k ascending ({@code local.LowRankProducts}). When there are fewer output
 *   blocks than twice the cores, the inner tiles are also split into that many contiguous ranges,
 *   the partial blocks (8 bytes per output entry and range) summed in range order afterwards, so that
 *   a product with one output block still uses every core.
 * </ol>
 * The result has A's rows per block and B's columns per block, is cached and materialized, and is
 * the caller's to unpersist; an output block with no pair of non-zero tiles is absent (zero), as in
 * MLlib. A and B are read twice when some tiles straddle blocks (once for the whole tiles, once for
 * the pieces): cache them if they are expensive to recompute.
 *
 * <p><b>Row-aligned X^T Y</b> (X: n x m, Y: n x p sharing their row index; A = X^T, B = Y). The
 * inner tiles are groups of b consecutive row indices, {@code k = index / b}; tile (i, k) of A is
 * {@code X[kb.., ib..]^T}, tile (k, j) of B is {@code Y[kb.., jb..]}. Each task groups the rows it
 * holds by k; a group it holds entirely (all its rows, as with partitions of consecutive indices) is
 * factored there and only its factors are shuffled, the rows of a group split across partitions
 * (at most the two at each end of a partition of consecutive rows; every group when rows are
 * scattered at random, which then costs a shuffle of the rows) are shuffled as they are and
 * factored where they meet. X's and Y's factors meet by k (one cogroup), each partition sums the
 * products of its k's into one m x p partial ({@code 8 m p} bytes each), and the partials are
 * tree-reduced on the driver.
 */
public final class LowRankBlockProduct {
  /** Inner tiles per call of the product kernel in the row-aligned form. */
  private static final int PANELS_PER_CALL = 64;

  private LowRankBlockProduct() {}

  /** C ~ AB for BlockMatrix A (m x n) and B (n x p); the seed and the sketch size are not read. */
  public static Timed<BlockMatrix> multiply(AmmAlgorithm algo, BlockMatrix a, BlockMatrix b, int l, long seed) {
    BlockLowRank lra = BlockLowRank.of(algo);
    long m = a.numRows();
    long n = a.numCols();
    long p = b.numCols();
    AmmArgumentException.require(n == b.numRows(),
        "inner dimensions differ: A is %dx%d, B is %dx%d", m, n, b.numRows(), p);
    int bs = lra.blockSize();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(a.blocks().sparkContext());
    ProductClock clock = new ProductClock(jsc);

    JavaRDD<LowRankTile> aTiles = null;
    JavaRDD<LowRankTile> bTiles = null;
    JavaPairRDD<Tuple2<Object, Object>, Matrix> cBlocks = null;
    boolean done = false;
    try {
      aTiles = factored(jsc, a, bs, lra.rankA());
      aTiles.count();
      long buildA = clock.lap();
      bTiles = factored(jsc, b, bs, lra.rankB());
      bTiles.count();
      long buildB = clock.lap();

      int rpbA = a.rowsPerBlock();
      int cpbB = b.colsPerBlock();
      int nK = Math.toIntExact((n + bs - 1) / bs);
      int cores = Math.max(1, jsc.defaultParallelism());
      long outBlocks = ((m + rpbA - 1) / rpbA) * ((p + cpbB - 1) / cpbB);
      OutputGrid grid = new OutputGrid(m, p, rpbA, cpbB, nK, OutputGrid.splitsForCores(cores, outBlocks, nK));
      int parts = (int) Math.max(1, Math.min(outBlocks * grid.splits,
          Math.max(2L * cores, Math.max(a.blocks().getNumPartitions(), b.blocks().getNumPartitions()))));
      cBlocks = grid.multiply(
          aTiles, t -> new int[] {(int) ((long) t.row * bs / rpbA), (int) (((long) t.row * bs + t.rows - 1) / rpbA), t.col},
          bTiles, t -> new int[] {(int) ((long) t.col * bs / cpbB), (int) (((long) t.col * bs + t.cols - 1) / cpbB), t.row},
          (as, bts, bi, bj, r0, rows, c0, cols) -> {
            double[] c = new double[rows * cols];
            LowRankProducts.accumulate(as, bts, bs, r0, rows, c0, cols, c, 0, rows);
            return c;
          }, parts);
      cBlocks = cBlocks.persist(StorageLevel.MEMORY_AND_DISK());
      cBlocks.count();
      long fab = clock.lap();
      BlockMatrix result = new BlockMatrix(cBlocks.rdd(), rpbA, cpbB, m, p);
      long post = clock.lap();
      done = true;
      return new Timed<>(result, clock.breakdown(buildA, buildB, fab, post));
    } finally { // Spark's exceptions are checked ones thrown undeclared: a finally sees them all
      for (JavaRDD<LowRankTile> tiles : java.util.Arrays.asList(aTiles, bTiles)) {
        if (tiles != null) {
          tiles.unpersist(false);
        }
      }
      if (!done && cBlocks != null) {
        cBlocks.unpersist(false);
      }
    }
  }

  /** A piece of a tile that straddles Spark blocks: its place in the tile and its values (dense). */
  private static final class Piece implements Serializable {
    private static final long serialVersionUID = 1L;
    final int row;
    final int col;
    final int rows;
    final int cols;
    final double[] values;

    Piece(int row, int col, int rows, int cols, double[] values) {
      this.row = row;
      this.col = col;
      this.rows = rows;
      this.cols = cols;
      this.values = values;
    }
  }

  /**
   * The factored non-zero tiles of a BlockMatrix (rank at most r), cached and materialized by the
   * caller's count: whole tiles factored in place, straddling tiles regrouped by tile first.
   */
  private static JavaRDD<LowRankTile> factored(JavaSparkContext jsc, BlockMatrix x, int bs, int r) {
    int rpb = x.rowsPerBlock();
    int cpb = x.colsPerBlock();
    long rows = x.numRows();
    long cols = x.numCols();
    JavaPairRDD<Tuple2<Object, Object>, Matrix> blocks = JavaPairRDD.fromJavaRDD(x.blocks().toJavaRDD());
    JavaRDD<LowRankTile> tiles = blocks.mapPartitions(it -> {
      TruncatedSvd svd = new TruncatedSvd();
      List<LowRankTile> out = new ArrayList<>();
      while (it.hasNext()) {
        Tuple2<Tuple2<Object, Object>, Matrix> e = it.next();
        long r0 = (long) (Integer) e._1()._1() * rpb;
        long c0 = (long) (Integer) e._1()._2() * cpb;
        TileReader.read(e._2(), r0, c0, rows, cols, bs, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE,
            TileReader.Pieces.WHOLE, (ti, tk, ri, ci, nr, nc, v) -> {
              LowRankTile t = svd.factor(ti, tk, v, nr, nc, r);
              if (t != null) {
                out.add(t);
              }
            });
      }
      return out.iterator();
    });
    if (rpb % bs != 0 || cpb % bs != 0) {
      long tileCols = (cols + bs - 1) / bs;
      JavaPairRDD<Long, Piece> pieces = blocks.flatMapToPair(e -> {
        long r0 = (long) (Integer) e._1()._1() * rpb;
        long c0 = (long) (Integer) e._1()._2() * cpb;
        List<Tuple2<Long, Piece>> out = new ArrayList<>();
        TileReader.read(e._2(), r0, c0, rows, cols, bs, 0, Long.MAX_VALUE, 0, Long.MAX_VALUE,
            TileReader.Pieces.PARTIAL, (ti, tk, ri, ci, nr, nc, v) ->
                out.add(new Tuple2<>(ti * tileCols + tk, new Piece(ri, ci, nr, nc, v))));
        return out.iterator();
      });
      int parts = Math.max(1, x.blocks().getNumPartitions());
      JavaRDD<LowRankTile> assembled = pieces.groupByKey(parts).mapPartitions(it -> {
        TruncatedSvd svd = new TruncatedSvd();
        List<LowRankTile> out = new ArrayList<>();
        while (it.hasNext()) {
          Tuple2<Long, Iterable<Piece>> e = it.next();
          int ti = (int) (e._1() / tileCols);
          int tk = (int) (e._1() % tileCols);
          int nr = (int) Math.min(bs, rows - (long) ti * bs);
          int nc = (int) Math.min(bs, cols - (long) tk * bs);
          double[] tile = new double[nr * nc];
          for (Piece q : e._2()) {
            for (int c = 0; c < q.cols; c++) {
              for (int rr = 0; rr < q.rows; rr++) {
                tile[q.row + rr + (q.col + c) * nr] += q.values[rr + c * q.rows];
              }
            }
          }
          LowRankTile t = svd.factor(ti, tk, tile, nr, nc, r);
          if (t != null) {
            out.add(t);
          }
        }
        return out.iterator();
      });
      tiles = tiles.union(assembled);
    }
    return tiles.persist(StorageLevel.MEMORY_AND_DISK());
  }

  /** One part of an inner tile's group of rows: its factors when complete, else its rows. */
  private static final class PanelPart implements Serializable {
    private static final long serialVersionUID = 1L;
    final List<LowRankTile> tiles;
    final long[] index;
    final Vector[] rows;

    PanelPart(List<LowRankTile> tiles, long[] index, Vector[] rows) {
      this.tiles = tiles;
      this.index = index;
      this.rows = rows;
    }
  }

  /**
   * C ~ X^T Y for X (n x m) and Y (n x p) sharing their row index; the result is local, m x p (see
   * the class comment). The seed and the sketch size are not read.
   */
  public static Timed<DenseMatrix> multiplyRowAligned(AmmAlgorithm algo, IndexedRowMatrix x, IndexedRowMatrix y,
      int l, long seed) {
    BlockLowRank lra = BlockLowRank.of(algo);
    long n = x.numRows();
    int m = Math.toIntExact(x.numCols());
    int p = Math.toIntExact(y.numCols());
    AmmArgumentException.require(n == y.numRows(),
        "row-aligned X^T Y needs the same rows: X is %dx%d, Y is %dx%d", n, m, y.numRows(), p);
    int mp = Math.multiplyExact(m, p);
    int bs = lra.blockSize();
    int rankA = lra.rankA();
    int rankB = lra.rankB();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(x.rows().sparkContext());
    ProductClock clock = new ProductClock(jsc);
    JavaPairRDD<Integer, PanelPart> xs = null;
    JavaPairRDD<Integer, PanelPart> ys = null;
    try {
      xs = panels(x.rows().toJavaRDD(), n, m, bs, rankA, true);
      xs.count();
      long buildA = clock.lap();
      ys = panels(y.rows().toJavaRDD(), n, p, bs, rankB, false);
      ys.count();
      long buildB = clock.lap();
      int nK = Math.toIntExact((n + bs - 1) / bs);
      int parts = Math.max(1, Math.min(nK, Math.max(x.rows().getNumPartitions(), y.rows().getNumPartitions())));
      double[] c;
      if (nK == 0 || mp == 0) {
        c = new double[mp];
      } else {
        c = OrderedReduce.reduce(xs.cogroup(ys, new HashPartitioner(parts)).mapPartitions(it -> {
          double[] part = new double[mp];
          TruncatedSvd svd = new TruncatedSvd();
          List<LowRankTile> as = new ArrayList<>();
          List<LowRankTile> bts = new ArrayList<>();
          int panels = 0;
          while (it.hasNext()) {
            Tuple2<Integer, Tuple2<Iterable<PanelPart>, Iterable<PanelPart>>> e = it.next();
            int k = e._1();
            List<LowRankTile> ak = tilesOf(e._2()._1(), k, n, m, bs, rankA, true, svd);
            List<LowRankTile> bk = tilesOf(e._2()._2(), k, n, p, bs, rankB, false, svd);
            if (ak.isEmpty() || bk.isEmpty()) {
              continue;
            }
            as.addAll(ak);
            bts.addAll(bk);
            if (++panels == PANELS_PER_CALL) {
              LowRankProducts.accumulate(as, bts, bs, 0, m, 0, p, part, 0, m);
              as.clear();
              bts.clear();
              panels = 0;
            }
          }
          LowRankProducts.accumulate(as, bts, bs, 0, m, 0, p, part, 0, m);
          return Collections.singletonList(part).iterator();
        }), Vectors2::plus);
      }
      long fab = clock.lap();
      return new Timed<>(new DenseMatrix(m, p, c), clock.breakdown(buildA, buildB, fab, 0));
    } finally { // the result is local: nothing reads the panels after this, on any path
      for (JavaPairRDD<Integer, PanelPart> panelParts : java.util.Arrays.asList(xs, ys)) {
        if (panelParts != null) {
          panelParts.unpersist(false);
        }
      }
    }
  }

  /**
   * Rows grouped by inner tile k = index / b in each partition: complete groups factored in place
   * (A's tiles (i, k) from X when {@code transposed}, B's tiles (k, j) from Y otherwise), the rows of
   * incomplete groups passed on as they are. Cached; the caller materializes it.
   */
  private static JavaPairRDD<Integer, PanelPart> panels(JavaRDD<IndexedRow> rows, long n, int dim, int bs, int r,
      boolean transposed) {
    return rows.mapPartitionsToPair(it -> {
      TruncatedSvd svd = new TruncatedSvd();
      Map<Integer, List<IndexedRow>> open = new HashMap<>();
      Map<Integer, boolean[]> seen = new HashMap<>();
      Map<Integer, Integer> distinct = new HashMap<>();
      List<Tuple2<Integer, PanelPart>> out = new ArrayList<>();
      while (it.hasNext()) {
        IndexedRow row = it.next();
        Vectors2.checked(row, dim);
        AmmArgumentException.require(row.index() >= 0 && row.index() < n,
            "row index %d is outside [0, %d)", row.index(), n);
        int k = Math.toIntExact(row.index() / bs);
        int size = (int) Math.min(bs, n - (long) k * bs);
        open.computeIfAbsent(k, q -> new ArrayList<>()).add(row);
        boolean[] s = seen.computeIfAbsent(k, q -> new boolean[size]);
        int t = (int) (row.index() - (long) k * bs);
        if (!s[t]) {
          s[t] = true;
          int d = distinct.merge(k, 1, Integer::sum);
          if (d == size && open.get(k).size() == size) {
            out.add(new Tuple2<>(k, new PanelPart(factorPanel(open.remove(k), k, n, dim, bs, r, transposed, svd),
                null, null)));
            seen.remove(k);
            distinct.remove(k);
          }
        }
      }
      for (Map.Entry<Integer, List<IndexedRow>> e : open.entrySet()) {
        List<IndexedRow> g = e.getValue();
        long[] index = new long[g.size()];
        Vector[] v = new Vector[g.size()];
        for (int q = 0; q < index.length; q++) {
          index[q] = g.get(q).index();
          v[q] = g.get(q).vector();
        }
        out.add(new Tuple2<>(e.getKey(), new PanelPart(null, index, v)));
      }
      return out.iterator();
    }).persist(StorageLevel.MEMORY_AND_DISK());
  }

  /** The factored tiles of inner tile k from its parts: factors as they came, rows assembled and factored. */
  private static List<LowRankTile> tilesOf(Iterable<PanelPart> parts, int k, long n, int dim, int bs, int r,
      boolean transposed, TruncatedSvd svd) {
    List<LowRankTile> tiles = new ArrayList<>();
    List<IndexedRow> loose = new ArrayList<>();
    for (PanelPart part : parts) {
      if (part.tiles != null) {
        tiles.addAll(part.tiles);
      } else {
        for (int q = 0; q < part.index.length; q++) {
          loose.add(new IndexedRow(part.index[q], part.rows[q]));
        }
      }
    }
    if (!loose.isEmpty()) {
      tiles.addAll(factorPanel(loose, k, n, dim, bs, r, transposed, svd));
    }
    return tiles;
  }

  /**
   * The non-zero tiles of the rows of inner tile k (rows with the same index add), factored: with
   * {@code transposed}, A's tiles (i, k) = X[kb.., ib..]^T (column t of the tile is a segment of row t),
   * otherwise B's tiles (k, j) = Y[kb.., jb..].
   */
  private static List<LowRankTile> factorPanel(List<IndexedRow> rows, int k, long n, int dim, int bs, int r,
      boolean transposed, TruncatedSvd svd) {
    int size = (int) Math.min(bs, n - (long) k * bs);
    int tilesAcross = (dim + bs - 1) / bs;
    double[][] tiles = new double[tilesAcross][];
    for (IndexedRow row : rows) {
      int t = (int) (row.index() - (long) k * bs);
      Vector v = row.vector();
      if (v instanceof DenseVector) {
        double[] values = ((DenseVector) v).values();
        for (int q = 0; q < values.length; q++) {
          if (values[q] != 0) {
            add(tiles, q, t, values[q], size, dim, bs, transposed);
          }
        }
      } else {
        SparseVector sv = (SparseVector) v;
        int[] idx = sv.indices();
        double[] values = sv.values();
        for (int e = 0; e < idx.length; e++) {
          if (values[e] != 0) {
            add(tiles, idx[e], t, values[e], size, dim, bs, transposed);
          }
        }
      }
    }
    List<LowRankTile> out = new ArrayList<>();
    for (int i = 0; i < tilesAcross; i++) {
      if (tiles[i] == null) {
        continue;
      }
      int width = Math.min(bs, dim - i * bs);
      LowRankTile f = transposed ? svd.factor(i, k, tiles[i], width, size, r) : svd.factor(k, i, tiles[i], size, width, r);
      if (f != null) {
        out.add(f);
      }
    }
    return out;
  }

  /** Entry q of inner row t into its tile: (q - ib, t) of a width x size tile, or (t, q - ib) of size x width. */
  private static void add(double[][] tiles, int q, int t, double value, int size, int dim, int bs, boolean transposed) {
    int i = q / bs;
    int width = Math.min(bs, dim - i * bs);
    if (tiles[i] == null) {
      tiles[i] = new double[width * size];
    }
    int w = q - i * bs;
    tiles[i][transposed ? w + t * width : t + w * size] += value;
  }
}
