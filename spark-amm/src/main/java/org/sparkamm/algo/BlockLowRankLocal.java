package org.sparkamm.algo;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.sparkamm.local.LowRankProducts;
import org.sparkamm.local.LowRankTile;
import org.sparkamm.local.TruncatedSvd;

/**
 * The local engine of block low-rank approximation ({@link BlockLowRank}): every tile of A (m x n)
 * and B (n x p) on the global b-grid is read in place from its storage (dense column- or row-major,
 * sparse CSC or CSR; see {@link TileReader}) and factored by a truncated SVD ({@link TruncatedSvd}),
 * skipping tiles of zeros; then {@code C = sum_k A~_ik B~_kj} through the factors
 * ({@link LowRankProducts}) into a dense column-major m x p result.
 *
 * <p>Parallel over the machine's cores, with a result that does not depend on their number: tiles
 * are factored by strips of tile columns (column-major storage) or bands of tile rows (row-major),
 * each tile on its own, and the product by bands of {@value LowRankProducts#BAND_TILES} output row
 * tiles, each band writing its own rows. Cost: see {@link BlockLowRank}; memory: the factors,
 * about {@code 2 r / b} of the inputs, plus C.
 */
public final class BlockLowRankLocal {
  private BlockLowRankLocal() {}

  public static Timed<DenseMatrix> multiply(AmmAlgorithm algo, Matrix a, Matrix b) {
    BlockLowRank lra = BlockLowRank.of(algo);
    int m = a.numRows();
    int p = b.numCols();
    int bs = lra.blockSize();
    Breakdown.Clock clock = new Breakdown.Clock();
    List<LowRankTile> at = factor(a, bs, lra.rankA());
    long buildA = clock.lap();
    List<LowRankTile> bt = factor(b, bs, lra.rankB());
    long buildB = clock.lap();
    double[] c = new double[Math.multiplyExact(m, p)];
    int band = LowRankProducts.BAND_TILES;
    int bands = (int) ((ceilDiv(m, bs) + band - 1) / band);
    List<List<LowRankTile>> byBand = new ArrayList<>(bands);
    for (int q = 0; q < bands; q++) {
      byBand.add(new ArrayList<>());
    }
    for (LowRankTile t : at) {
      byBand.get(t.row / band).add(t);
    }
    IntStream.range(0, bands).parallel().forEach(q -> {
      int r0 = q * band * bs;
      int rows = Math.min(m, r0 + band * bs) - r0;
      LowRankProducts.accumulate(byBand.get(q), bt, bs, r0, rows, 0, p, c, r0, m);
    });
    long fab = clock.lap();
    return new Timed<>(new DenseMatrix(m, p, c), new Breakdown(buildA, buildB, fab, 0, 0));
  }

  /**
   * The factored non-zero tiles of a local matrix, rank at most r, in grid order (by strips of tile
   * columns, or bands of tile rows for row-major storage), factored in parallel.
   */
  public static List<LowRankTile> factor(Matrix x, int bs, int r) {
    boolean byRows = TileReader.rowMajor(x);
    long units = ceilDiv(byRows ? x.numRows() : x.numCols(), bs);
    return IntStream.range(0, (int) units).parallel().mapToObj(u -> {
      TruncatedSvd svd = new TruncatedSvd();
      List<LowRankTile> out = new ArrayList<>();
      TileReader.Sink sink = (ti, tk, ri, ci, rows, cols, v) -> {
        LowRankTile t = svd.factor(ti, tk, v, rows, cols, r);
        if (t != null) {
          out.add(t);
        }
      };
      if (byRows) {
        TileReader.read(x, bs, u, u + 1, 0, Long.MAX_VALUE, sink);
      } else {
        TileReader.read(x, bs, 0, Long.MAX_VALUE, u, u + 1, sink);
      }
      return out;
    }).flatMap(List::stream).collect(Collectors.toList());
  }

  static long ceilDiv(long x, long b) {
    return (x + b - 1) / b;
  }
}
