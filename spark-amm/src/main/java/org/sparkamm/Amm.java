package org.sparkamm;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkamm.algo.AlgorithmRegistry;
import org.sparkamm.algo.AmmAlgorithm;
import org.sparkamm.algo.Breakdown;
import org.sparkamm.algo.CodebookAlgorithm;
import org.sparkamm.algo.FiniteInputs;
import org.sparkamm.codebook.Codebook;
import org.sparkamm.algo.LocalEngine;
import org.sparkamm.algo.SketchSizing;
import org.sparkamm.algo.Timed;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.error.AmmException;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.local.FrobeniusError;
import org.sparkamm.spark.BlockProduct;
import org.sparkamm.spark.CodebookTraining;
import org.sparkamm.spark.DistributedError;
import org.sparkamm.spark.RowAlignedProduct;

/**
 * The entry point, shaped like LibAMM's: create an algorithm from its tag, configure it, multiply.
 *
 * <pre>{@code
 * Amm amm = Amm.create("countSketch").setConfig(new AmmConfig().edit("seed", 7L));
 * Matrix c = amm.multiply(a, b, 100);                  // local Spark matrices
 * BlockMatrix cd = amm.multiply(ad, bd, 100);          // distributed, A (m x n) times B (n x p)
 * Matrix cov = amm.multiplyRowAligned(x, y, 100);      // X^T Y of two IndexedRowMatrix, same rows
 * Matrix g = amm.gram(x, 100);                         // X^T X, one pass and one sketch
 * Breakdown phases = amm.getBreakDown();
 *
 * Amm pq = Amm.create("pq");                           // codebook methods: train first, on other data
 * Codebook book = pq.train(aTrain, bTrain, 50);        // of the same distribution (or codebookPath=...)
 * book.save(Path.of("pq.npz"));
 * Matrix c2 = pq.multiply(a, b, 50);
 * }</pre>
 *
 * <p>Configuration keys read: {@code seed} (integer, default {@value #DEFAULT_SEED}); for
 * {@code mm} on BlockMatrix inputs, {@code numMidDimSplits} (default: chosen so that each reducer's
 * share of A and B fits a quarter of an executor's memory); and each algorithm's own
 * keys ({@link AmmAlgorithm#configKeys()}: {@code algoDelta} of {@code tugOfWar}, default 0.02 in
 * (0, 1/e); {@code sjltNonzeros} of {@code sjlt}, default 4 in [1, l]; {@code hadamardChunk} of
 * {@code srht} and {@code fastjlt}, a power of two, default 1,024; the codebook methods'
 * {@code codebookPath}, LibAMM's {@code prototypesLoadPath}, {@code hashLoadPath},
 * {@code pqvqCodewordLookUpTablePath}, and for training {@code C}, {@code trainingRows}, {@code lA},
 * {@code lB}, {@code codewordRatio}, see {@link CodebookAlgorithm}), checked against their range
 * when set; {@code useCuda} (LibAMM's key, 0 or 1, default 0) and {@code requireGpu} (0 or 1,
 * default 0, only with {@code useCuda=1}) choose where the local products run
 * ({@link #backendChoice()}). Other keys are accepted and ignored (reported once at debug level,
 * and by the command line on stderr), as LibAMM scripts pass keys nothing reads.
 *
 * <p>Every random choice is a pure function of (seed, inner index): the same seed gives the same
 * product for any number of partitions, any block size, locally and on Spark, up to the order of
 * floating-point summation. An instance is not thread-safe (it keeps the last breakdown).
 */
public final class Amm {
  /** The seed key of the configuration. */
  public static final String SEED_KEY = "seed";
  /** MLlib's {@code numMidDimSplits} for the exact product on Spark. */
  public static final String MID_DIM_SPLITS_KEY = "numMidDimSplits";
  /**
   * LibAMM's {@code useCuda}: 1 runs the local products (block GEMMs, sketch accumulation, reduced
   * products) on a GPU backend when one is on the classpath and usable (the {@code spark-amm-gpu}
   * module), else on the CPU after one logged line per JVM.
   */
  public static final String USE_CUDA_KEY = "useCuda";
  /** 1 (with {@code useCuda=1}): fail with a one-line error instead of falling back to the CPU. */
  public static final String REQUIRE_GPU_KEY = "requireGpu";
  /** LibAMM's default seed for its synthetic loaders, reused for the algorithms. */
  public static final long DEFAULT_SEED = 114514L;

  private static final Logger LOG = LoggerFactory.getLogger(Amm.class);
  private static final Set<String> KNOWN_KEYS = Set.of(SEED_KEY, MID_DIM_SPLITS_KEY, USE_CUDA_KEY, REQUIRE_GPU_KEY);
  private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

  private final AmmAlgorithm algorithm;
  private AmmConfig config = new AmmConfig();
  private Breakdown breakdown = Breakdown.zero();

  private Amm(AmmAlgorithm algorithm) {
    this.algorithm = algorithm;
  }

  /** The algorithm with this LibAMM tag (case-insensitive); an unknown tag lists the valid ones. */
  public static Amm create(String tag) {
    return new Amm(AlgorithmRegistry.create(tag));
  }

  /** The valid tags. */
  public static List<String> tags() {
    return AlgorithmRegistry.tags();
  }

  public String tag() {
    return algorithm.tag();
  }

  /** The algorithm behind this entry point (its math, its error formula). */
  public AmmAlgorithm algorithm() {
    return algorithm;
  }

  /** Replaces the configuration (copied); the seed is checked at once. */
  public Amm setConfig(AmmConfig cfg) {
    AmmConfig copy = new AmmConfig(cfg);
    copy.getLong(SEED_KEY, DEFAULT_SEED);
    copy.getLong(MID_DIM_SPLITS_KEY, 1, 1, 1 << 20);
    backendChoice(copy);
    algorithm.configure(copy);
    for (String key : copy.keys()) {
      if (!readsKey(key) && REPORTED.add(key)) {
        LOG.debug("config key '{}' is not read by spark-amm algorithms; ignored", key);
      }
    }
    this.config = copy;
    return this;
  }

  /** True when this entry point or its algorithm reads {@code key}. */
  public boolean readsKey(String key) {
    return KNOWN_KEYS.contains(key) || algorithm.configKeys().contains(key);
  }

  public AmmConfig getConfig() {
    return new AmmConfig(config);
  }

  /** Shorthand for setting the {@code seed} key. */
  public Amm setSeed(long seed) {
    config.edit(SEED_KEY, seed);
    return this;
  }

  public long seed() {
    return config.getLong(SEED_KEY, DEFAULT_SEED);
  }

  /**
   * {@code numMidDimSplits} for {@code mm} on BlockMatrix inputs, or 0 when the key is absent: then
   * it is chosen from the output grid and the executors' memory ({@code BlockProduct.midDimSplitsFor}).
   */
  public int midDimSplits() {
    return config.contains(MID_DIM_SPLITS_KEY) ? (int) config.getLong(MID_DIM_SPLITS_KEY, 1, 1, 1 << 20) : 0;
  }

  /**
   * Where the local products run, from {@code useCuda} and {@code requireGpu}: {@code CPU} (the
   * default), {@code GPU_IF_AVAILABLE} or {@code GPU_REQUIRED}. On Spark the choice travels to the
   * executors with the tasks, and each executor JVM resolves it to its own backend.
   */
  public BackendChoice backendChoice() {
    return backendChoice(config);
  }

  private static BackendChoice backendChoice(AmmConfig cfg) {
    boolean useCuda = cfg.getLong(USE_CUDA_KEY, 0, 0, 1) == 1;
    boolean requireGpu = cfg.getLong(REQUIRE_GPU_KEY, 0, 0, 1) == 1;
    AmmArgumentException.require(useCuda || !requireGpu,
        "config key '%s' is 1 but '%s' is 0: requireGpu applies to the GPU that useCuda=1 asks for", REQUIRE_GPU_KEY,
        USE_CUDA_KEY);
    return BackendChoice.of(useCuda, requireGpu);
  }

  /** C ~ AB for local matrices (dense or sparse): A m x n, B n x p, all values finite. */
  public Matrix multiply(Matrix a, Matrix b, int sketchSize) {
    checkSketchSize(sketchSize);
    AmmArgumentException.require(a.numCols() == b.numRows(),
        "inner dimensions differ: A is %dx%d, B is %dx%d", a.numRows(), a.numCols(), b.numRows(), b.numCols());
    if (!algorithm.isExact()) {
      algorithm.checkSketchFits(sketchSize, a.numRows(), b.numCols());
    }
    Timed<DenseMatrix> r = LocalEngine.multiply(algorithm, a, b, sketchSize, seed(), backendChoice());
    breakdown = r.breakdown;
    return r.product;
  }

  /**
   * C ~ AB on Spark: A (m x n) and B (n x p) as BlockMatrix; the result is a cached BlockMatrix with
   * A's rows per block and B's columns per block. Values are not scanned for NaN (that would cost a
   * pass); non-finite inputs give non-finite outputs.
   */
  public BlockMatrix multiply(BlockMatrix a, BlockMatrix b, int sketchSize) {
    checkSketchSize(sketchSize);
    Timed<BlockMatrix> r = unwrap(() -> BlockProduct.multiply(algorithm, a, b, sketchSize, seed(), midDimSplits(),
        backendChoice()));
    breakdown = r.breakdown;
    return r.product;
  }

  /** C ~ X^T Y on Spark, X (k x m) and Y (k x p) sharing their row indices; the result is local, m x p. */
  public Matrix multiplyRowAligned(IndexedRowMatrix x, IndexedRowMatrix y, int sketchSize) {
    checkSketchSize(sketchSize);
    Timed<DenseMatrix> r = unwrap(() -> RowAlignedProduct.multiply(algorithm, x, y, sketchSize, seed(),
        backendChoice()));
    breakdown = r.breakdown;
    return r.product;
  }

  /**
   * C ~ X^T Y where each row of {@code df} holds x in column {@code xCol} and y in {@code yCol}
   * (Spark ML vectors). A row's inner index is its position in the DataFrame's order.
   */
  public Matrix multiplyRowAligned(Dataset<Row> df, String xCol, String yCol, int sketchSize) {
    checkSketchSize(sketchSize);
    Timed<DenseMatrix> r = unwrap(() -> RowAlignedProduct.multiply(algorithm, df, xCol, yCol, sketchSize,
        seed(), backendChoice()));
    breakdown = r.breakdown;
    return r.product;
  }

  /**
   * C ~ X^T X, the Gram matrix of X (k x m) on Spark, local m x m: the row-aligned product with both
   * sides X, at the cost of one side (one pass over the rows and one sketch where the two-sided
   * product makes two; the exact Gram needs no join). Equal to {@code multiplyRowAligned(x, x, l)}
   * to rounding, which takes this path too (it recognizes the same matrix, or the same RDD object).
   */
  public Matrix gram(IndexedRowMatrix x, int sketchSize) {
    checkSketchSize(sketchSize);
    Timed<DenseMatrix> r = unwrap(() -> RowAlignedProduct.gram(algorithm, x, sketchSize, seed(), backendChoice()));
    breakdown = r.breakdown;
    return r.product;
  }

  /** {@link #gram(IndexedRowMatrix, int)} of one vector column of {@code df}, rows numbered by position. */
  public Matrix gram(Dataset<Row> df, String col, int sketchSize) {
    checkSketchSize(sketchSize);
    Timed<DenseMatrix> r = unwrap(() -> RowAlignedProduct.gram(algorithm, df, col, sketchSize, seed(),
        backendChoice()));
    breakdown = r.breakdown;
    return r.product;
  }

  /**
   * The smallest sketch size whose expected relative Frobenius error is at most {@code targetError},
   * from this algorithm's closed form, the inputs' inner norms and a pilot estimate of ||AB||_F (see
   * {@link SketchSizing}: 32 sign probes, one pass over each input), with the error it predicts.
   * Errors (one line) for exact algorithms, algorithms without a closed form, and targets that no
   * sketch up to the inner dimension reaches.
   */
  public SketchSizing.Choice sketchSizeFor(Matrix a, Matrix b, double targetError) {
    AmmArgumentException.require(a.numCols() == b.numRows(),
        "inner dimensions differ: A is %dx%d, B is %dx%d", a.numRows(), a.numCols(), b.numRows(), b.numCols());
    return SketchSizing.choose(algorithm, LocalEngine.norms(a, b), a.numCols(),
        SketchSizing.localProbeValues(a, b, seed()), targetError, seed());
  }

  /** {@link #sketchSizeFor(Matrix, Matrix, double)} for BlockMatrix inputs, computed where the blocks lie. */
  public SketchSizing.Choice sketchSizeFor(BlockMatrix a, BlockMatrix b, double targetError) {
    return unwrap(() -> {
      org.sparkamm.algo.InnerNorms norms = BlockProduct.norms(a, b);
      try {
        return SketchSizing.choose(algorithm, norms, a.numCols(), BlockProduct.pilotValues(a, b, seed()),
            targetError, seed());
      } finally {
        norms.release();
      }
    });
  }

  /** {@link #sketchSizeFor(Matrix, Matrix, double)} for the row-aligned X^T Y. */
  public SketchSizing.Choice sketchSizeFor(IndexedRowMatrix x, IndexedRowMatrix y, double targetError) {
    return unwrap(() -> {
      org.sparkamm.algo.InnerNorms norms = RowAlignedProduct.norms(x, y);
      try {
        return SketchSizing.choose(algorithm, norms, x.numRows(), RowAlignedProduct.pilotValues(x, y, seed()),
            targetError, seed());
      } finally {
        norms.release();
      }
    });
  }

  /**
   * Trains the codebook of a codebook method ({@code pq-raw}, {@code pq-hash}, {@code vq}, {@code pq})
   * on local training matrices drawn from the same distribution as the ones it will multiply (never
   * those themselves): A (rows x n) and, for vq and pq, B (n x cols), whose columns train B's
   * codewords; B may be null for pq-raw and pq-hash. This instance multiplies through the codebook
   * from now on; save it with {@link Codebook#save}. {@code sketchSize} is pq-raw's number of
   * subspaces when below 50 (LibAMM's rule) and is otherwise unused. Training reads the keys
   * {@code C}, {@code trainingRows} (and vq/pq's {@code lA}, {@code lB}, {@code codewordRatio}) and the seed.
   */
  public Codebook train(Matrix a, Matrix b, int sketchSize) {
    CodebookAlgorithm algo = checkTraining(a.numRows(), a.numCols(), b == null ? -1 : b.numRows(),
        b == null ? -1 : b.numCols(), sketchSize);
    FiniteInputs.require(a, "A");
    if (b != null) {
      FiniteInputs.require(b, "B");
    }
    return algo.train(a, b, sketchSize, seed());
  }

  /**
   * {@link #train(Matrix, Matrix, int)} on Spark: MLlib's k-means per subspace on a sample of A's
   * rows (and B's columns) drawn by a counter-based sampler (see {@code spark.CodebookTraining}).
   */
  public Codebook train(BlockMatrix a, BlockMatrix b, int sketchSize) {
    CodebookAlgorithm algo = checkTraining(a.numRows(), a.numCols(), b == null ? -1 : b.numRows(),
        b == null ? -1 : b.numCols(), sketchSize);
    return unwrap(() -> CodebookTraining.train(algo, a, b, sketchSize, seed()));
  }

  private CodebookAlgorithm checkTraining(long m, long n, long nb, long p, int sketchSize) {
    AmmArgumentException.require(algorithm.needsTraining(),
        "%s has nothing to train; train applies to the codebook methods: %s", tag(), codebookTags());
    checkSketchSize(sketchSize);
    CodebookAlgorithm algo = (CodebookAlgorithm) algorithm;
    boolean twoSided = algo.trainingSpec(sketchSize, seed()).twoSided();
    AmmArgumentException.require(nb >= 0 || !twoSided,
        "%s trains codewords for both operands: give a training B as well as A", tag());
    AmmArgumentException.require(nb < 0 || nb == n,
        "inner dimensions differ: training A is %dx%d, training B is %dx%d", m, n, nb, p);
    return algo;
  }

  private static String codebookTags() {
    StringBuilder sb = new StringBuilder();
    for (String t : tags()) {
      if (AlgorithmRegistry.create(t).needsTraining()) {
        sb.append(sb.length() == 0 ? "" : ", ").append(t);
      }
    }
    return sb.toString();
  }

  /** Multiplies through {@code cb} from now on (a codebook method only; checked against the method). */
  public Amm setCodebook(Codebook cb) {
    AmmArgumentException.require(algorithm.needsTraining(), "%s multiplies without a codebook", tag());
    ((CodebookAlgorithm) algorithm).setCodebook(cb);
    return this;
  }

  /** The codebook of a codebook method; a one-line error when it has none yet (or is not one). */
  public Codebook codebook() {
    AmmArgumentException.require(algorithm.needsTraining(), "%s multiplies without a codebook", tag());
    return ((CodebookAlgorithm) algorithm).codebook();
  }

  /** Spark wraps an error raised inside a task; give the caller the library's own exception. */
  private static <T> T unwrap(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (AmmException e) {
      throw e;
    } catch (Exception e) { // SparkException is checked in Java's eyes but thrown from Scala code
      for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
        if (c instanceof AmmException) {
          throw (AmmException) c;
        }
      }
      throw Amm.<RuntimeException>rethrow(e);
    }
  }

  /** Rethrows any exception unchanged (Spark's own exceptions reach the caller as they are). */
  @SuppressWarnings("unchecked")
  private static <E extends Exception> E rethrow(Exception e) throws E {
    throw (E) e;
  }

  /** The phases of the last multiply (LibAMM's getBreakDown). */
  public Breakdown getBreakDown() {
    return breakdown;
  }

  /** ||exact - approx||_F / ||exact||_F, in double. */
  public static double relativeFrobeniusError(Matrix exact, Matrix approx) {
    AmmArgumentException.require(exact.numRows() == approx.numRows() && exact.numCols() == approx.numCols(),
        "cannot compare a %dx%d matrix with a %dx%d matrix", exact.numRows(), exact.numCols(),
        approx.numRows(), approx.numCols());
    return FrobeniusError.relative(exact.toArray(), approx.toArray());
  }

  /** ||exact - approx||_F / ||exact||_F for distributed matrices with the same blocks. */
  public static double relativeFrobeniusError(BlockMatrix exact, BlockMatrix approx) {
    return DistributedError.relative(exact, approx);
  }

  private static void checkSketchSize(int k) {
    AmmArgumentException.require(k >= 1, "sketch size must be at least 1, got %d", k);
  }
}
