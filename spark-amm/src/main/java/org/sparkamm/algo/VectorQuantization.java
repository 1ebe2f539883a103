package org.sparkamm.algo;

import java.nio.file.Path;
import java.util.Set;
import org.sparkamm.codebook.Codebook;
import org.sparkamm.codebook.LibAmmFiles;
import org.sparkamm.codebook.TrainingSpec;
import org.sparkamm.config.AmmConfig;

/**
 * {@code vq} and {@code pq}: codebook quantization of both operands (LibAMM's VectorQuantization;
 * {@code vq} has m = 1 subspace, {@code pq} m subspaces, LibAMM's files use 10). In subspace s, A's
 * row sub-vectors get the nearest of l_A codewords and B's column sub-vectors the nearest of l_B,
 * and a lookup table of their inner products gives the product:
 *
 * <pre>C[r, j] = sum_s L_s[codeA(r, s), codeB(j, s)],   L_s[a, b] = &lt;P^A_{s,a}, P^B_{s,b}&gt;.</pre>
 *
 * Cost: encoding O(m l_A n + p l_B n), then O(m p m_sub) lookups (m_sub subspaces), against exact
 * O(m n p): it pays when l_A, l_B are much smaller than p and m.
 *
 * <p>Training ({@code Amm.train}): k-means per subspace on the sampled rows of the training A (l_A
 * centers) and columns of the training B (l_B centers), as LibAMM's notebook does with sklearn; the
 * table is computed from the codewords. Keys: {@code C} (pq's m, default 10), {@code lA} and
 * {@code lB} (codewords; default LibAMM's rule max(1, min(⌊⌊N / m⌋ ratio⌋, N)) on the N sampled rows
 * or columns), {@code codewordRatio} (that ratio, default 0.1). LibAMM's files:
 * {@code pqvqCodewordLookUpTablePath}, a {@code .pth} module with {@code codewordsA}, {@code codewordsB}
 * and {@code lookUpTable}; m comes from the tensors and is checked against the file name's
 * {@code _m(\d+)}; inner indices past m ⌊n/m⌋ are ignored, as LibAMM ignores them.
 *
 * <p>Error: see {@link CodebookAlgorithm}: AB - C = (A - Â) B + Â (B - B̂), zero when A's rows and
 * B's columns lie on their codewords.
 */
public final class VectorQuantization extends CodebookAlgorithm {
  public static final String CODEWORDS_PATH = "pqvqCodewordLookUpTablePath";
  public static final String CODEWORDS_A = "lA";
  public static final String CODEWORDS_B = "lB";
  public static final String RATIO = "codewordRatio";
  public static final double DEFAULT_RATIO = 0.1;
  private final boolean product;
  private int codewordsA;
  private int codewordsB;
  private double ratio = DEFAULT_RATIO;

  public VectorQuantization(boolean product) {
    this.product = product;
  }

  @Override
  public String tag() {
    return product ? "pq" : "vq";
  }

  @Override
  public String description() {
    return product ? "codebook quantization of A and B in m subspaces, lookup-table product"
        : "codebook (vector) quantization of A's rows and B's columns, lookup-table product";
  }

  @Override
  protected Set<String> ownKeys() {
    return Set.of(CODEWORDS_PATH, CODEWORDS_A, CODEWORDS_B, RATIO);
  }

  @Override
  protected String libammKey() {
    return CODEWORDS_PATH;
  }

  @Override
  protected Codebook configureOwn(AmmConfig cfg) {
    codewordsA = (int) cfg.getLong(CODEWORDS_A, 0, 0, 1 << 20);
    codewordsB = (int) cfg.getLong(CODEWORDS_B, 0, 0, 1 << 20);
    ratio = cfg.getDouble(RATIO, DEFAULT_RATIO);
    org.sparkamm.error.AmmArgumentException.require(ratio > 0 && ratio <= 1,
        "config key '%s' must be in (0, 1], got %s", RATIO, ratio);
    String path = cfg.getString(CODEWORDS_PATH, null);
    return path == null ? null : LibAmmFiles.codewords(Path.of(path), tag());
  }

  @Override
  protected String rejects(Codebook cb) {
    return cb.twoSided() ? null : "codewords for both A and B (vq's or pq's)";
  }

  @Override
  public TrainingSpec trainingSpec(int sketchSize, long seed) {
    return new TrainingSpec(tag(), TrainingSpec.Form.CODEWORDS, product ? subspaces : 1, codewordsA, codewordsB,
        ratio, trainingRows, seed);
  }
}
