package org.sparkamm.cli;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.sparkamm.Amm;
import org.sparkamm.algo.AmmAlgorithm;
import org.sparkamm.algo.InnerNorms;
import org.sparkamm.algo.SketchSizing;
import org.sparkamm.local.SpectralNorm;

/**
 * The trial loop that {@code bench}, {@code demo} and the experiments share, on one loaded
 * {@link Problem}: the time of the fastest read of the inputs (the floor of any one-pass method,
 * {@link Problem#floorMillis}), the exact
 * product once as the reference, the per-inner-index norms of the error formulas; then any number
 * of {@link Trial}s, each compared with the reference.
 *
 * <p>Per trial: {@code error} = ||AB - C||_F / ||AB||_F (computed where the blocks lie on Spark);
 * {@code expected} = sqrt(max(0, E||AB - C||_F^2) / ||AB||_F^2) from
 * {@link AmmAlgorithm#expectedSquaredError} at the trial's seed; with {@code spectral}, for
 * algorithms whose {@link AmmAlgorithm#spectralErrorBound} is finite, ||AB - C||_2 / ||AB||_2 and
 * the bound / ||AB||_2 ({@link SpectralNorm}; on Spark the two m x p products are collected for
 * this, so only when m p &le; {@value #SPECTRAL_LIMIT}, else NaN). A trial that throws becomes a
 * failed {@link Trial} holding the message; nothing it produced stays cached.
 */
final class Trials implements AutoCloseable {
  /** The tag of the exact product, the reference of every error and speed-up. */
  static final String REFERENCE = "mm";
  /** The largest product (entries) collected to the driver for the spectral error on Spark: 128 MiB. */
  static final long SPECTRAL_LIMIT = 1L << 24;

  final Problem problem;
  /** Milliseconds of the fastest read of both inputs (median of warm parallel reads). */
  final double readMillis;
  /** The exact product: the first multiply of this run, hence a cold one. */
  final Problem.Run exact;
  private final String engine;
  private final double productNorm2;
  private final InnerNorms norms;
  private final boolean spectral;
  private double productSpectralNorm = Double.NaN;
  /** The pilot of {@link #predict}, drawn on first use. */
  private SketchSizing.Pilot pilot;
  private long pilotSeed;
  /** The exact product, column-major, once a spectral error needs it. */
  private double[] exactValues;

  private Trials(Problem problem, double readMillis, Problem.Run exact, double productNorm2, InnerNorms norms,
      boolean spectral) {
    this.problem = problem;
    this.readMillis = readMillis;
    this.exact = exact;
    this.engine = problem.onSpark ? "spark" : "local";
    this.productNorm2 = productNorm2;
    this.norms = norms;
    this.spectral = spectral;
  }

  /**
   * Reads the inputs once, runs the exact product ({@code mm} with {@code conf}) and computes the
   * norms; {@code spectral} adds the spectral errors where a bound exists. Close it to release them.
   */
  static Trials start(Problem problem, RunConfig conf, boolean spectral) {
    double read = problem.floorMillis();
    Problem.Run exact = problem.run(conf.configure(Amm.create(REFERENCE)), 1);
    InnerNorms norms = null;
    boolean started = false;
    try {
      double productNorm2 = problem.productNormSquared(exact);
      norms = problem.norms();
      Trials trials = new Trials(problem, read, exact, productNorm2, norms, spectral);
      started = true;
      return trials;
    } finally { // Spark's checked exceptions arrive undeclared: a finally sees them all
      if (!started) {
        exact.release();
        if (norms != null) {
          norms.release();
        }
      }
    }
  }

  /** "spark" or "local". */
  String engine() {
    return engine;
  }

  /** The reference exact product as a trial of {@value #REFERENCE} (error 0): its cold run. */
  Trial reference(int sketch, long seed) {
    return Trial.success(engine, REFERENCE, sketch, 0, seed, true, 0.0, 0.0, Double.NaN, Double.NaN, exact.millis,
        exact.breakdown);
  }

  /** One trial of {@code amm} at sketch size {@code k} with {@code seed}; a failure is returned, not thrown. */
  Trial run(Amm amm, int k, int index, long seed, boolean cold) {
    Problem.Run run = null;
    try {
      amm.setSeed(seed);
      AmmAlgorithm algo = amm.algorithm();
      // The seed matters where probabilities are drawn from it (crsV2, bcrs); NaN: no closed form.
      double expected = Math.sqrt(Math.max(0, algo.expectedSquaredError(norms, productNorm2, k, seed)) / productNorm2);
      double bound = spectral ? algo.spectralErrorBound(norms, problem.m, problem.p, k) : Double.NaN;
      run = problem.run(amm, k);
      double error = problem.error(exact, run);
      double spectralError = Double.NaN;
      double spectralBound = Double.NaN;
      if (Double.isFinite(bound) && (!problem.onSpark || problem.m * problem.p <= SPECTRAL_LIMIT)) {
        DenseMatrix c = run.toLocal();
        double top = productSpectralNorm();
        spectralError = SpectralNorm.ofDifference(exactValues, c.toArray(), c.numRows(), c.numCols()) / top;
        spectralBound = bound / top;
      }
      return Trial.success(engine, amm.tag(), k, index, seed, cold, error, expected, spectralError, spectralBound,
          run.millis, run.breakdown);
    } catch (Exception e) { // Spark's checked exceptions too, thrown undeclared from Scala code
      return Trial.failure(engine, amm.tag(), k, index, seed, cold, e);
    } finally {
      if (run != null) {
        run.release();
      }
    }
  }

  /**
   * What {@code --sketch auto} predicts for {@code algo} at sketch size {@code k} with {@code seed}
   * ({@link SketchSizing#predict}: the closed form against the pilot's estimate of ||AB||_F^2, not the
   * exact norm this loop knows), the pilot drawn once, at {@code pilotSeed}, on first use (one pass
   * over each input, not timed in any trial); null where the algorithm has no closed form.
   */
  SketchSizing.Prediction predict(AmmAlgorithm algo, int k, long seed, long pilotSeed) {
    if (algo.isExact()) {
      return null;
    }
    if (pilot == null || this.pilotSeed != pilotSeed) {
      pilot = SketchSizing.Pilot.of(problem.pilotValues(pilotSeed));
      this.pilotSeed = pilotSeed;
    }
    SketchSizing.Prediction p = SketchSizing.predict(algo, norms, pilot, k, seed);
    return Double.isNaN(p.error) ? null : p;
  }

  /** ||AB||_2, estimated once (the exact product collected to the driver on Spark). */
  private double productSpectralNorm() {
    if (exactValues == null) {
      DenseMatrix c = exact.toLocal();
      exactValues = c.toArray();
      productSpectralNorm = SpectralNorm.of(exactValues, c.numRows(), c.numCols());
    }
    return productSpectralNorm;
  }

  /** Releases the reference product and the norms. */
  @Override
  public void close() {
    exact.release();
    norms.release();
  }
}
