package org.sparkamm.algo;

import java.util.Set;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code blockLRA}: block low-rank approximation (LibAMM's BlockLRA, after Osawa et al., HPCS 2017).
 * A (m x n) and B (n x p) are cut along one global grid of b x b tiles (b = {@value #BLOCK_KEY},
 * default {@value #DEFAULT_BLOCK}): tile (i, k) of A covers rows {@code [i b, min(m, (i+1) b))} and
 * inner indices {@code [k b, min(n, (k+1) b))}, tile (k, j) of B likewise; edge tiles are ragged
 * (smaller), not zero-padded. Every tile is replaced by its truncated SVD,
 * {@code A~_ik = U_A,ik diag(s_A,ik) V_A,ik^T} of rank {@code min(r_A, tile rows, tile columns)} with
 * {@code r_A = ceil(algoARankRatio b)}, and {@code B~_kj} of rank {@code r_B = ceil(algoBRankRatio b)}
 * ({@value #A_RANK_KEY}, {@value #B_RANK_KEY}, LibAMM's keys, default {@value #DEFAULT_RATIO}, valid in
 * (0, 1]; a product within 1e-12 of an integer counts as that integer, so 0.1 x 30 is rank 3). Then
 *
 * <pre>C_ij = sum_k U_A,ik [ diag(s_A,ik) (V_A,ik^T U_B,kj) diag(s_B,kj) ] V_B,kj^T,</pre>
 *
 * multiplied through the factors (see {@code local.LowRankProducts}); no tile is formed densely again.
 * The method is deterministic: no randomness, the seed is not read, and {@code sketchSize} is not
 * read either (as in LibAMM, where it is forced to 0): the ranks set the accuracy. Tiles with no
 * non-zero entry are skipped (no SVD, no factors, no product).
 *
 * <p><b>Guarantee</b> (deterministic). With {@code e_A,ik = ||A_ik - A~_ik||_F}, which by
 * Eckart-Young is {@code sqrt(sum_{t > r_A} s_t(A_ik)^2)}, the least error of any rank-r_A tile,
 * and likewise {@code e_B,kj}, the identity
 * {@code A_ik B_kj - A~_ik B~_kj = (A_ik - A~_ik) B_kj + A~_ik (B_kj - B~_kj)} and the triangle
 * inequality give, for every output tile,
 *
 * <pre>||(AB)_ij - C_ij||_F &lt;= beta_ij = sum_k ( e_A,ik ||B_kj||_2 + ||A_ik||_2 e_B,kj )
 *                      &lt;= sum_k ( e_A,ik ||B_kj||_F + ||A~_ik||_F e_B,kj ),</pre>
 *
 * ({@code ||A~_ik||_2 = ||A_ik||_2 = s_1(A_ik)}) and {@code ||AB - C||_F^2 = sum_ij ||(AB)_ij - C_ij||_F^2
 * <= sum_ij beta_ij^2}. At ratio 1 (or whenever the ranks reach the tiles' ranks) every e is 0 and
 * C = AB up to rounding. {@link #expectedSquaredError} is NaN: the bound needs the tiles'
 * singular values, not the inner norms.
 *
 * <p><b>Cost.</b> One thin SVD ({@code dgesdd}) per non-zero tile: about {@code (m n + n p) / b^2}
 * SVDs of O(b^3) flops each, i.e. O(b (mn + np)); then about {@code 2 m n p min(r_A, r_B) / b} flops
 * for the products (a fraction {@code r / b} of the dense product's {@code 2 m n p}; 0.1 at the
 * defaults) plus {@code 4 m n p r_A r_B / b^2} for the small r_A x r_B cores, mostly in dgemm.
 * Memory: the factors, {@code r (rows + cols + 1)} doubles per tile (about {@code 2 r / b} of the
 * dense tile). The SVDs dominate at the defaults: a 30 x 30 dgesdd with vectors takes about 75 us
 * with native LAPACK on the build machine (160 us in LAPACK's Java translation), so 1024 x 100,000
 * times 100,000 x 1024 (227,000 tiles) spends about 9.5 s factoring on 2 cores and 3.5 s in the
 * products (cold JVM), against 2 s for dgemm: the method buys accuracy per stored number, not speed
 * over native BLAS; on Spark it ships a quarter of {@code BlockMatrix.multiply}'s shuffle.
 *
 * <p><b>Spark</b> ({@code spark.LowRankBlockProduct}). BlockMatrix x BlockMatrix: each tile lying
 * inside one Spark block is factored where the block lies; tiles straddling Spark blocks (none when
 * the block sizes are multiples of b) are first regrouped, their pieces shuffled by tile (8 bytes per
 * entry of those tiles). The factors are then shuffled to the output blocks that need them (A's to
 * every output block column, B's to every output block row): about {@code 8 r (2b + 1) / b^2} bytes
 * per entry of A (B) and output block column (row), against 8 bytes per entry for
 * {@code BlockMatrix.multiply}, i.e. {@code r (2b + 1) / b^2} of its shuffle (0.2 at the defaults).
 * Row-aligned X^T Y: rows are grouped by inner tile {@code k = index / b} where they lie; the groups
 * a partition holds entirely are factored there and only their factors shuffled, the rows of groups
 * split across partitions are shuffled as rows; the products are summed per partition and
 * tree-reduced (m x p per partition).
 *
 * <p>LibAMM zero-pads the dimensions to multiples of 30 and hard-codes b = 30; here b is
 * configurable and edge tiles are ragged.
 */
public final class BlockLowRank extends AmmAlgorithm {
  public static final String A_RANK_KEY = "algoARankRatio";
  public static final String B_RANK_KEY = "algoBRankRatio";
  public static final String BLOCK_KEY = "lraBlockSize";
  public static final double DEFAULT_RATIO = 0.1;
  public static final int DEFAULT_BLOCK = 30;
  /** Largest tile side: a b x b tile and its SVD workspace must fit arrays comfortably. */
  public static final int MAX_BLOCK = 4096;
  private double ratioA = DEFAULT_RATIO;
  private double ratioB = DEFAULT_RATIO;
  private int blockSize = DEFAULT_BLOCK;

  @Override
  public String tag() {
    return "blockLRA";
  }

  @Override
  public String description() {
    return "block low-rank: truncated SVD of every " + BLOCK_KEY + " x " + BLOCK_KEY + " tile (default 30) to rank "
        + "ceil(" + A_RANK_KEY + " b), ceil(" + B_RANK_KEY + " b) (default 0.1), multiplied through the factors; "
        + "deterministic, sketchSize not read";
  }

  @Override
  public Set<String> configKeys() {
    return Set.of(A_RANK_KEY, B_RANK_KEY, BLOCK_KEY);
  }

  @Override
  public void configure(AmmConfig cfg) {
    ratioA = ratio(cfg, A_RANK_KEY);
    ratioB = ratio(cfg, B_RANK_KEY);
    blockSize = (int) cfg.getLong(BLOCK_KEY, DEFAULT_BLOCK, 1, MAX_BLOCK);
  }

  private static double ratio(AmmConfig cfg, String key) {
    double r = cfg.getDouble(key, DEFAULT_RATIO);
    AmmArgumentException.require(r > 0 && r <= 1, "config key '%s' must be in (0, 1], got %s", key, plain(r));
    return r;
  }

  private static String plain(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  @Override
  public boolean factorsBlocks() {
    return true;
  }

  /** The tile side b. */
  public int blockSize() {
    return blockSize;
  }

  /** r_A = ceil(algoARankRatio b), at least 1 and at most b. */
  public int rankA() {
    return rank(ratioA, blockSize);
  }

  /** r_B = ceil(algoBRankRatio b), at least 1 and at most b. */
  public int rankB() {
    return rank(ratioB, blockSize);
  }

  static int rank(double ratio, int b) {
    double x = ratio * b;
    long r = (long) Math.ceil(x - 1e-12 * Math.max(1, x)); // 0.1 x 30 is 3, not 4
    return (int) Math.max(1, Math.min(b, r));
  }

  /** The algorithm as block low-rank; the engines call this after {@link #factorsBlocks()}. */
  public static BlockLowRank of(AmmAlgorithm algo) {
    if (!(algo instanceof BlockLowRank)) {
      throw new IllegalStateException(algo.tag() + " does not factor tiles");
    }
    return (BlockLowRank) algo;
  }

  /** The sketch size is not read: any value fits. */
  @Override
  public void checkSketchFits(int sketchSize, long m, long p) {}

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    throw new IllegalStateException("blockLRA factors tiles and has no sketch of the inner dimension");
  }

  /**
   * NaN: the method is deterministic and its error depends on the tiles' singular values, not on
   * the inner norms; see the class comment for the bound.
   */
  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
    return Double.NaN;
  }
}
