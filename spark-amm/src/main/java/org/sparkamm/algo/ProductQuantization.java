package org.sparkamm.algo;

import java.nio.file.Path;
import java.util.Set;
import org.sparkamm.codebook.Codebook;
import org.sparkamm.codebook.LibAmmFiles;
import org.sparkamm.codebook.TrainingSpec;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;

/**
 * {@code pq-raw} and {@code pq-hash}: product quantization of A's rows with K = 16 prototypes per
 * subspace, as in MADDNESS (Blalock and Guttag, "Multiplying Matrices Without Multiplying", ICML
 * 2021). B is not quantized:
 *
 * <pre>C[r, :] = sum_c T_c[code(r, c), :],   T_c = P_c B_c (K x p),</pre>
 *
 * with P_c the prototypes of subspace c and B_c the rows of B in it. {@code pq-raw} encodes a
 * sub-vector by its nearest prototype in L2 (LibAMM's C++ computes one whole-tensor L1 norm instead,
 * so its code is always 0; its Python twin and this class use per-prototype L2), O(m K n);
 * {@code pq-hash} by a MADDNESS hash tree per subspace (4 comparisons, O(m C); LibAMM shares one tree
 * across subspaces and starts its traversal at node 0). Tables cost O(K n p) and the lookups O(m p C):
 * against exact O(m n p), this pays when m is much larger than K = 16 and n much larger than C.
 *
 * <p>Training ({@code Amm.train}): pq-raw runs k-means (16 centers) per subspace on the sampled
 * rows of A; pq-hash learns each subspace's tree and takes the bucket means as prototypes, on the
 * driver ({@code codebook.TreeLearner}). Subspaces: C from the key {@code C} (default 10); pq-raw
 * keeps LibAMM's rule C := sketchSize when sketchSize &lt; 50. LibAMM's files: {@code prototypesLoadPath}
 * (C x 16 x D prototypes), and for pq-hash {@code hashLoadPath} (its tree).
 *
 * <p>Error: see {@link CodebookAlgorithm}: ||AB - C||_F &lt;= sum_c ||A_c - Â_c||_F ||B_c||_2, zero for
 * rows lying on the prototypes (for pq-hash, on prototypes that hash to their own bucket, as bucket
 * means do).
 */
public final class ProductQuantization extends CodebookAlgorithm {
  public static final String PROTOTYPES_PATH = "prototypesLoadPath";
  public static final String HASH_PATH = "hashLoadPath";
  /** LibAMM's pq-raw rule: a sketch size below this is the number of subspaces. */
  static final int SKETCH_AS_SUBSPACES_BELOW = 50;
  private final boolean hashed;

  public ProductQuantization(boolean hashed) {
    this.hashed = hashed;
  }

  @Override
  public String tag() {
    return hashed ? "pq-hash" : "pq-raw";
  }

  @Override
  public String description() {
    return hashed ? "product quantization of A, MADDNESS hash-tree encoding (16 buckets per subspace)"
        : "product quantization of A, nearest-prototype encoding (16 prototypes per subspace)";
  }

  @Override
  protected Set<String> ownKeys() {
    return hashed ? Set.of(PROTOTYPES_PATH, HASH_PATH) : Set.of(PROTOTYPES_PATH);
  }

  @Override
  protected String libammKey() {
    return hashed ? PROTOTYPES_PATH + "=... with " + HASH_PATH : PROTOTYPES_PATH;
  }

  @Override
  protected Codebook configureOwn(AmmConfig cfg) {
    String prototypes = cfg.getString(PROTOTYPES_PATH, null);
    if (!hashed) {
      return prototypes == null ? null : LibAmmFiles.prototypes(Path.of(prototypes), tag());
    }
    String hash = cfg.getString(HASH_PATH, null);
    AmmArgumentException.require((prototypes == null) == (hash == null),
        "pq-hash reads LibAMM's %s and %s together; %s is missing", PROTOTYPES_PATH, HASH_PATH,
        prototypes == null ? PROTOTYPES_PATH : HASH_PATH);
    return prototypes == null ? null : LibAmmFiles.hashed(Path.of(prototypes), Path.of(hash), tag());
  }

  @Override
  protected String rejects(Codebook cb) {
    if (hashed) {
      return cb.hashed() ? null : "a codebook with hash trees (pq-hash's)";
    }
    return cb.twoSided() ? "a codebook of A's prototypes (pq-raw's or pq-hash's)" : null;
  }

  @Override
  public TrainingSpec trainingSpec(int sketchSize, long seed) {
    int c = !hashed && sketchSize < SKETCH_AS_SUBSPACES_BELOW ? sketchSize : subspaces;
    return new TrainingSpec(tag(), hashed ? TrainingSpec.Form.HASHED : TrainingSpec.Form.PROTOTYPES, c, 0, 0, 0,
        trainingRows, seed);
  }
}
