package org.sparkamm.algo;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.apache.spark.mllib.linalg.Matrix;
import org.sparkamm.codebook.Codebook;
import org.sparkamm.codebook.CodebookTrainer;
import org.sparkamm.codebook.TrainingSpec;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * The codebook methods ({@code pq-raw}, {@code pq-hash}, {@code vq}, {@code pq}): C ~ AB through a
 * {@link Codebook} of C subspaces of the inner dimension, trained beforehand on other data of the
 * same distribution, never on the matrices being multiplied (LibAMM's experiments train on the
 * product's own inputs; that is not a use case). Training is an explicit step: {@code Amm.train}
 * (locally, or on Spark with MLlib's k-means) or {@code spark-amm train-codebooks}; a codebook is
 * then saved and loaded ({@code codebookPath}), or read from LibAMM's own files.
 *
 * <p>Configuration keys: {@code codebookPath} (this library's {@code .npz}, or a directory saved by
 * {@code spark.CodebookModel}); each method's LibAMM file keys; for training {@code C} (subspaces,
 * default {@value #DEFAULT_SUBSPACES}, LibAMM's default) and {@code trainingRows} (rows of A, and
 * columns of B, sampled for training, default {@value #DEFAULT_TRAINING_ROWS}, fewer for wide
 * matrices: a sample holds at most 2^26 values, see {@link TrainingSpec#target}). Neither
 * {@code sketchSize} nor {@code C} is read when multiplying: the codebook fixes the subspaces (for
 * LibAMM's files, their tensors do); {@code pq-raw} keeps LibAMM's rule C := sketchSize when
 * sketchSize &lt; 50, applied when training (LibAMM applies it on every call).
 *
 * <p>Error: no closed form ({@link #expectedSquaredError} is NaN); the error is the quantization
 * residual, ||AB - C||_F &lt;= sum_c ||A_c - Â_c||_F ||B_c||_2 for one-sided codebooks (Â: every
 * sub-vector replaced by its codeword), plus sum_c ||Â_c||_2 ||B_c - B̂_c||_F for two-sided ones;
 * inputs lying on the codewords are multiplied exactly. Cost: encoding A O(m K n) (pq-hash: O(m C)),
 * tables or encoding B O(K n p), lookups O(m p C).
 */
public abstract class CodebookAlgorithm extends AmmAlgorithm {
  public static final String CODEBOOK_PATH = "codebookPath";
  public static final String SUBSPACES = "C";
  public static final String TRAINING_ROWS = "trainingRows";
  public static final int DEFAULT_SUBSPACES = 10;
  public static final long DEFAULT_TRAINING_ROWS = 10_000;

  protected int subspaces = DEFAULT_SUBSPACES;
  protected long trainingRows = DEFAULT_TRAINING_ROWS;
  private Codebook codebook;

  @Override
  public boolean needsTraining() {
    return true;
  }

  @Override
  public Set<String> configKeys() {
    Set<String> keys = new HashSet<>(Set.of(CODEBOOK_PATH, SUBSPACES, TRAINING_ROWS));
    keys.addAll(ownKeys());
    return keys;
  }

  /** The keys of this method besides the common ones: its LibAMM file keys and training keys. */
  protected abstract Set<String> ownKeys();

  /** LibAMM's key of this method's codebook file, named in the message for a missing codebook. */
  protected abstract String libammKey();

  /** Reads this method's own keys; returns the codebook its LibAMM file keys name, or null. */
  protected abstract Codebook configureOwn(AmmConfig cfg);

  /** Null when this method can multiply with {@code cb}, else what it needs instead. */
  protected abstract String rejects(Codebook cb);

  /** What to train, for this sketch size and seed. */
  public abstract TrainingSpec trainingSpec(int sketchSize, long seed);

  /**
   * Reads the training keys and the codebook keys; a codebook named by a key is read now (not in
   * the timed multiply, unlike LibAMM, which reads its file on every call).
   */
  @Override
  public void configure(AmmConfig cfg) {
    subspaces = (int) cfg.getLong(SUBSPACES, DEFAULT_SUBSPACES, 1, 1 << 20);
    trainingRows = cfg.getLong(TRAINING_ROWS, DEFAULT_TRAINING_ROWS, 1, Integer.MAX_VALUE);
    String own = cfg.getString(CODEBOOK_PATH, null);
    Codebook libamm = configureOwn(cfg);
    AmmArgumentException.require(own == null || libamm == null, "%s: set %s or %s, not both", tag(), CODEBOOK_PATH,
        libammKey());
    if (own != null) {
      setCodebook(Codebook.load(Path.of(own)));
    } else if (libamm != null) {
      setCodebook(libamm);
    }
  }

  /** The codebook; without one, a one-line error saying how to get one. */
  public Codebook codebook() {
    if (codebook == null) {
      throw new AmmArgumentException(tag() + " needs a codebook: set " + CODEBOOK_PATH + "=... or " + libammKey()
          + "=..., or train one with Amm.train or 'spark-amm train-codebooks --algo " + tag() + "'");
    }
    return codebook;
  }

  /** True once a codebook is set, trained or read. */
  public boolean hasCodebook() {
    return codebook != null;
  }

  /** Multiplies through {@code cb} from now on (checked to be a codebook this method can use). */
  public void setCodebook(Codebook cb) {
    String problem = rejects(cb);
    AmmArgumentException.require(problem == null, "%s needs %s; this codebook was made by %s", tag(), problem,
        cb.tag());
    codebook = cb;
  }

  /**
   * Trains a codebook on local matrices, A (rows x n) and for two-sided methods B (n x cols), and
   * multiplies through it from now on. Inputs are assumed validated by the public entry point.
   */
  public Codebook train(Matrix a, Matrix b, int sketchSize, long seed) {
    Codebook cb = CodebookTrainer.train(trainingSpec(sketchSize, seed), a, b);
    setCodebook(cb);
    return cb;
  }

  @Override
  public InnerSketch sketch(long n, int sketchSize, long seed, InnerMasses masses) {
    throw new IllegalStateException(tag() + " multiplies through a codebook, not a sketch");
  }

  /** NaN: no closed form; the class Javadoc bounds the error by the quantization residual. */
  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int sketchSize, long seed) {
    return Double.NaN;
  }

  /** Nothing to check: the sketch size is not read when multiplying. */
  @Override
  public void checkSketchFits(int sketchSize, long m, long p) {}
}
