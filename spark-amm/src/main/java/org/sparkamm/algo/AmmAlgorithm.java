package org.sparkamm.algo;

import java.util.Set;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * One approximate matrix multiplication method, C ~ AB with A m x n and B n x p, independent of
 * where it runs. A method is either the exact product or a sketch of the inner dimension
 * ({@code C = (A S^T)(S B)}, see {@link InnerSketch}); the local and Spark engines execute both.
 * Implementations state their math in their Javadoc: formula, guarantee, cost.
 */
public abstract class AmmAlgorithm {
  /** LibAMM's tag, e.g. {@code countSketch}. */
  public abstract String tag();

  /** One line for listings. */
  public abstract String description();

  /**
   * The configuration keys this algorithm reads (besides {@code seed}), e.g. {@code algoDelta}.
   * {@link #configure} reads exactly these.
   */
  public Set<String> configKeys() {
    return Set.of();
  }

  /**
   * Reads this algorithm's keys from {@code cfg}, checking each against its valid range (the
   * message names the key and the range); absent keys keep their documented defaults. Called once
   * by {@code Amm.setConfig}; the default reads nothing.
   */
  public void configure(AmmConfig cfg) {}

  /** True for the exact product: there is no sketch. */
  public boolean isExact() {
    return false;
  }

  /**
   * True for element-wise sampling ({@code ews}): not a sketch of the inner dimension but sparse
   * samples of A's and B's entries, multiplied sparse by sparse; the engines hand it to its own
   * product ({@code EntrySampledProduct}) and never call {@link #sketch}.
   */
  public boolean samplesEntries() {
    return false;
  }

  /**
   * True for block low-rank approximation ({@code blockLRA}, see {@link BlockLowRank}): not a sketch
   * of the inner dimension but a truncated SVD of every tile of A and B on a global grid, multiplied
   * through the factors; deterministic (no seed) and not sized by {@code sketchSize}. The engines
   * hand it to its own product ({@code BlockLowRankLocal}, {@code LowRankBlockProduct}) and never
   * call {@link #sketch}.
   */
  public boolean factorsBlocks() {
    return false;
  }

  /**
   * True for scalar quantization ({@code int8*}, see {@link ScalarQuantization}): not a sketch but
   * every entry rounded to a few bits, multiplied in integer arithmetic; the engines hand it to its own
   * product ({@code QuantizedLocal}, {@code QuantizedBlockProduct}) and never call {@link #sketch}.
   */
  public boolean quantizesEntries() {
    return false;
  }

  /**
   * True for the codebook methods ({@code pq-raw}, {@code pq-hash}, {@code vq}, {@code pq}, see
   * {@link CodebookAlgorithm}): they multiply through a codebook trained beforehand on other data of
   * the same distribution ({@code Amm.train}) or read from a file, and fail with one line when they
   * have none; the engines hand them to their own products and never call {@link #sketch}.
   */
  public boolean needsTraining() {
    return false;
  }

  /**
   * True for mergeable, non-linear sketches ({@code cooFD}, {@code bcooFD}, see
   * {@link CoOccurringProduct}): the pairs (a_i, b_i) are consumed together, each task builds a
   * {@link #mergeableSketch} of the pairs it holds, and the sketches merge; the engines never call
   * {@link #sketch}.
   */
  public final boolean mergesSketches() {
    return mergeableSketch(1, 1, 1) != null;
  }

  /**
   * A new empty mergeable sketch for A (m x n) and B (n x p), or null for the other shapes; checks
   * the sketch size against m and p (a one-line error).
   */
  public org.sparkamm.sketch.CoOccurringDirections mergeableSketch(long m, long p, int sketchSize) {
    return null;
  }

  /**
   * True for the methods that are {@code C = (A S^T)(S B)} for a sketch S built by {@link #sketch};
   * false for the exact product and for the methods the engines hand to their own products
   * (entry sampling, block factors, quantization, codebooks, mergeable sketches).
   */
  public final boolean sketchesInnerDimension() {
    return !isExact() && !samplesEntries() && !factorsBlocks() && !quantizesEntries() && !needsTraining()
        && !mergesSketches();
  }

  /**
   * True when the sketches of A and B add every input value, times a non-zero finite coefficient,
   * into some sketch entry ({@code countSketch}, {@code sjlt}): a NaN or infinite input then makes a
   * sketch non-finite, so the local engine checks the m l + p l sketch values instead of reading the
   * m n + n p inputs once more, and reads them only to name a non-finite one ({@link FiniteInputs}).
   */
  public boolean sketchAddsEveryValue() {
    return false;
  }

  /** True when {@link #sketch} reads data-dependent masses (one extra pass over the inputs). */
  public boolean needsMasses() {
    return false;
  }

  /**
   * The sketch for inner dimension n and sketch size l, a pure function of (configuration, seed,
   * n, l, masses).
   *
   * @param masses q_i = ||a_i|| ||b_i|| per inner index; only read when {@link #needsMasses()}
   */
  public abstract InnerSketch sketch(long n, int sketchSize, long seed, InnerMasses masses);

  /**
   * E||AB - C||_F^2 over the algorithm's randomness for this sketch size and seed (the seed
   * matters only where the algorithm draws data-independent probabilities, as {@code crsV2} and
   * {@code bcrs} do), from the inputs' norms and ||AB||_F^2; 0 for exact; NaN where no closed
   * form exists (the Javadoc then states a bound or what is known).
   */
  public abstract double expectedSquaredError(InnerNorms norms, double productNorm2, int sketchSize, long seed);

  /**
   * A deterministic bound on ||AB - C||_2 for the deterministic methods (co-occurring directions),
   * NaN for the others.
   */
  public double spectralErrorBound(InnerNorms norms, long m, long p, int sketchSize) {
    return Double.NaN;
  }

  /**
   * The width of the sketches for sketch size l: l, or a multiple of it for algorithms that build
   * several sketches in the same pass ({@code tugOfWar}).
   */
  public int sketchWidth(int sketchSize) {
    return sketchSize;
  }

  /**
   * True when the reduced product needs the exact squared norms of A's rows and B's columns; the
   * engines then sum them in the sketching pass ({@link org.sparkamm.sketch.SketchedBlock#outerNorms2}).
   */
  public boolean needsOuterNorms() {
    return false;
  }

  /**
   * The sign probes that choose among repeated sketches, or null (the default: one sketch, nothing
   * to choose). When present, the sketch is {@link SignProbes#repeats()} sketches of width l side
   * by side, the engines compute the probes' residuals (see {@link SignProbes}) and pass them to
   * {@link #choose}.
   */
  public SignProbes probes(long p, int sketchSize, long seed) {
    return null;
  }

  /** The repeat to use given the probe residuals [test][repeat]; only called when {@link #probes} is not null. */
  public int choose(double[][] residuals) {
    return 0;
  }

  /** How the sketches become C, given the chosen repeat (0 when nothing was chosen). */
  public ReducedProduct reducedProduct(int sketchSize, int chosenRepeat) {
    return ReducedProduct.plain();
  }

  /** The sketches of A (m x width) and B^T (p x width) must each fit one Java array. */
  public void checkSketchFits(int sketchSize, long m, long p) {
    long width = sketchWidth(sketchSize);
    long rows = Math.max(Math.max(m, p), 1);
    AmmArgumentException.require(rows * width <= Integer.MAX_VALUE - 8,
        "sketch size %d is too large: a %d x %d sketch does not fit in one array", sketchSize, rows, width);
  }

  @Override
  public String toString() {
    return tag();
  }
}
