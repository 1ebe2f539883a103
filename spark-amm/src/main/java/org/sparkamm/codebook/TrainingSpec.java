package org.sparkamm.codebook;

import java.io.Serializable;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.random.CounterRng;
import org.sparkamm.random.Streams;

/**
 * What to train, independent of where: the method, the number of subspaces C, how many codewords,
 * how many training rows, the seed. The local trainer ({@link CodebookTrainer}) and the Spark one
 * (MLlib's k-means) both follow it, and draw the same {@link TrainingSample}.
 */
public final class TrainingSpec implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Prototypes per subspace of pq-raw and pq-hash (MADDNESS: 16, the buckets of a depth-4 tree). */
  public static final int PROTOTYPES = HashTree.BUCKETS;
  /** The most values a training sample holds. */
  public static final long MAX_SAMPLE_VALUES = 1L << 26;

  /** The three kinds of codebook. */
  public enum Form {
    /** pq-raw: K = 16 prototypes per subspace of A's rows, by k-means; rows encoded by nearest prototype. */
    PROTOTYPES,
    /** pq-hash: a MADDNESS hash tree per subspace and its 16 bucket means. */
    HASHED,
    /** vq / pq: codewords for A's rows and for B's columns per subspace, by k-means, and their lookup table. */
    CODEWORDS
  }

  public final String tag;
  public final Form form;
  public final int subspaces;
  /** Codewords of A per subspace (vq/pq), or 0 for LibAMM's rule from the sample size. */
  private final int codewordsA;
  private final int codewordsB;
  private final double ratio;
  public final long trainingRows;
  public final long seed;

  /**
   * @param codewordsA vq/pq: codewords of A per subspace (l_A), 0 for LibAMM's rule
   *     max(1, min(⌊⌊rows / C⌋ ratio⌋, rows)) on the number of sampled rows; ignored otherwise
   * @param trainingRows the target number of sampled rows of A (and columns of B)
   */
  public TrainingSpec(String tag, Form form, int subspaces, int codewordsA, int codewordsB, double ratio,
      long trainingRows, long seed) {
    AmmArgumentException.require(subspaces >= 1, "%s: the number of subspaces C must be at least 1, got %d", tag,
        subspaces);
    AmmArgumentException.require(trainingRows >= 1, "%s: trainingRows must be at least 1, got %d", tag, trainingRows);
    this.tag = tag;
    this.form = form;
    this.subspaces = subspaces;
    this.codewordsA = codewordsA;
    this.codewordsB = codewordsB;
    this.ratio = ratio;
    this.trainingRows = trainingRows;
    this.seed = seed;
  }

  public boolean twoSided() {
    return form == Form.CODEWORDS;
  }

  /** C balanced subspaces of the inner dimension n (checked: C &lt;= n). */
  public Subspaces subspaces(long n) {
    AmmArgumentException.require(n >= subspaces, "%s: C = %d subspaces need an inner dimension of at least %d, got %d",
        tag, subspaces, subspaces, n);
    return Subspaces.balanced(n, subspaces);
  }

  /** The sampled rows of A (each of length n), out of {@code rows}. */
  public TrainingSample rowsOfA(long rows, long n) {
    return TrainingSample.of(seed, Streams.CODEBOOK_ROWS_A, rows, target(n));
  }

  /** The sampled columns of B (each of length n), out of {@code cols}. */
  public TrainingSample columnsOfB(long cols, long n) {
    return TrainingSample.of(seed, Streams.CODEBOOK_COLUMNS_B, cols, target(n));
  }

  /**
   * The target sample size for vectors of length n: {@code trainingRows}, but at most
   * {@value #MAX_SAMPLE_VALUES} values in all (512 MiB), so that wide matrices are sampled more thinly.
   */
  public long target(long n) {
    return Math.max(1, Math.min(trainingRows, MAX_SAMPLE_VALUES / Math.max(1, n)));
  }

  /** Codewords of A per subspace for a sample of {@code sampled} rows. */
  public int codewordsA(long sampled) {
    return form == Form.CODEWORDS ? codewords(codewordsA, sampled) : PROTOTYPES;
  }

  /** Codewords of B per subspace for a sample of {@code sampled} columns (0 for one-sided codebooks). */
  public int codewordsB(long sampled) {
    return form == Form.CODEWORDS ? codewords(codewordsB, sampled) : 0;
  }

  private int codewords(int fixed, long sampled) {
    if (fixed > 0) {
      AmmArgumentException.require(fixed <= sampled,
          "%s: %d codewords per subspace need at least as many training vectors, the sample has %d", tag, fixed,
          sampled);
      return fixed;
    }
    long rule = (long) Math.floor((sampled / subspaces) * ratio);
    return (int) Math.max(1, Math.min(Math.min(rule, sampled), Integer.MAX_VALUE));
  }

  /** The k-means seed of subspace c of A ({@code ofB} false) or B. */
  public long kmeansSeed(boolean ofB, int c) {
    return CounterRng.bits(CounterRng.streamKey(seed, Streams.CODEBOOK_KMEANS), 2L * c + (ofB ? 1 : 0));
  }
}
