package org.sparkamm.random;

/** Stream identifiers: one per independent use of a seed, so that uses never share random values. */
public final class Streams {
  private Streams() {}

  /** CountSketch bucket and sign of an inner index. */
  public static final long COUNT_SKETCH = 1;
  /** The t-th draw of a column-row sample. */
  public static final long SAMPLE_DRAWS = 2;
  /** Dense sketch entries (Gaussian, Rademacher), one sequence per inner index. */
  public static final long DENSE_ENTRIES = 3;
  /** Column signs of {@code rip}; the random signs D of Hadamard sketches. */
  public static final long COLUMN_SIGNS = 4;
  /** Bucket and sign of each of the s non-zeros of a sparse sign sketch. */
  public static final long SPARSE_SIGNS = 5;
  /** The projection after a Hadamard transform: SRHT's sampled rows, FastJLT's sparse Gaussian. */
  public static final long HADAMARD_PROJECTION = 6;
  /** Random sampling weights u_i of {@code crsV2} and {@code bcrs}. */
  public static final long RANDOM_WEIGHTS = 7;
  /** Bernoulli coins of {@code bcrs}: index i is kept when its coin is below p_i. */
  public static final long BERNOULLI_COINS = 8;
  /** Sign probes of {@code tugOfWar}'s tests. */
  public static final long PROBES = 9;
  /** Entry-wise sampling coins of {@code ews} (A and B use different streams). */
  public static final long ENTRY_COINS_A = 10;
  public static final long ENTRY_COINS_B = 11;
  /** The pilot's sign probes that estimate ||AB||_F when choosing a sketch size. */
  public static final long PILOT_PROBES = 12;
  /** Codebook training: the sampled rows of A, the sampled columns of B, the k-means seed of each subspace. */
  public static final long CODEBOOK_ROWS_A = 20;
  public static final long CODEBOOK_COLUMNS_B = 21;
  public static final long CODEBOOK_KMEANS = 22;
  /** Synthetic test and benchmark data: shared latent factors, per-matrix loadings, noise. */
  public static final long DATA_LATENT = 100;
  public static final long DATA_LOADINGS_A = 101;
  public static final long DATA_LOADINGS_B = 102;
  public static final long DATA_NOISE_A = 103;
  public static final long DATA_NOISE_B = 104;
  /** The planted-spectrum data of the downstream experiments: its directions, factors and noise. */
  public static final long PLANTED_DIRECTIONS = 110;
  public static final long PLANTED_FACTORS = 111;
  public static final long PLANTED_NOISE = 112;
  /** The small operands the command line's warm-up multiplies while the real inputs load. */
  public static final long WARMUP_OPERANDS = 120;
  /** LibAMM loaders' A and B, and the choice of "reduced" rows of the sparse loader. */
  public static final long LOADER_A = 200;
  public static final long LOADER_B = 201;
  public static final long LOADER_REDUCE_A = 202;
  public static final long LOADER_REDUCE_B = 203;
  /** The training draw of the same loaders: other entries of the same distribution, for codebook training. */
  public static final long LOADER_TRAINING_A = 204;
  public static final long LOADER_TRAINING_B = 205;
  public static final long LOADER_TRAINING_REDUCE_A = 206;
  public static final long LOADER_TRAINING_REDUCE_B = 207;
}
