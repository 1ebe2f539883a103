package org.sparkamm.cli;

import java.util.Locale;
import org.sparkamm.algo.Breakdown;

/**
 * One multiply of one algorithm at one sketch size with one seed, measured against the exact
 * product of the same run ({@link Trials}); or, when it threw, its one-line message.
 *
 * <p>Errors (all relative, NaN when not applicable): {@code error} = ||AB - C||_F / ||AB||_F;
 * {@code expected} = sqrt(E||AB - C||_F^2) / ||AB||_F from the algorithm's closed form (NaN where
 * none exists); for the deterministic methods with a spectral-norm guarantee, {@code spectralError}
 * = ||AB - C||_2 / ||AB||_2 (power-iteration estimates) beside {@code spectralBound} = the
 * guarantee's right-hand side / ||AB||_2.
 */
final class Trial {
  /** The columns of {@link #csv}. */
  static final String CSV_HEADER = "engine,algo,sketch,trial,cold,seed,status,fro_error,expected_error,"
      + "spectral_error,spectral_bound,millis,buildATime,buildBTime,fABTime,postProcessTime,shuffle_bytes,message";

  final String engine;
  final String tag;
  final int sketch;
  final int index;
  final long seed;
  /** True for the first run of the algorithm in this JVM, reported apart from the warm trials. */
  final boolean cold;
  final double error;
  final double expected;
  final double spectralError;
  final double spectralBound;
  final long millis;
  final Breakdown breakdown;
  /** The one-line message of a failed trial; null when it succeeded. */
  final String failure;
  /** What a failed trial threw (null when it succeeded), for callers that stop at the first failure. */
  final Exception cause;

  private Trial(String engine, String tag, int sketch, int index, long seed, boolean cold, double error,
      double expected, double spectralError, double spectralBound, long millis, Breakdown breakdown, String failure,
      Exception cause) {
    this.engine = engine;
    this.tag = tag;
    this.sketch = sketch;
    this.index = index;
    this.seed = seed;
    this.cold = cold;
    this.error = error;
    this.expected = expected;
    this.spectralError = spectralError;
    this.spectralBound = spectralBound;
    this.millis = millis;
    this.breakdown = breakdown;
    this.failure = failure;
    this.cause = cause;
  }

  static Trial success(String engine, String tag, int sketch, int index, long seed, boolean cold, double error,
      double expected, double spectralError, double spectralBound, long millis, Breakdown breakdown) {
    return new Trial(engine, tag, sketch, index, seed, cold, error, expected, spectralError, spectralBound, millis,
        breakdown, null, null);
  }

  static Trial failure(String engine, String tag, int sketch, int index, long seed, boolean cold, Exception cause) {
    return new Trial(engine, tag, sketch, index, seed, cold, Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1,
        Breakdown.zero(), Main.failureMessage(cause), cause);
  }

  /** Throws {@code e} as it is (Spark's checked exceptions included), for callers that stop at a failure. */
  @SuppressWarnings("unchecked")
  static <E extends Exception> RuntimeException rethrow(Exception e) throws E {
    throw (E) e;
  }

  boolean failed() {
    return failure != null;
  }

  /** One CSV line (no newline) in the columns of {@link #CSV_HEADER}; errors to 13 significant digits. */
  String csv() {
    return String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%d,%s,%.12e,%.12e,%.12e,%.12e,%d,%d,%d,%d,%d,%d,%s", engine,
        tag, sketch, index, cold ? 1 : 0, seed, failed() ? "failed" : "ok", error, expected, spectralError,
        spectralBound, millis, breakdown.buildATime, breakdown.buildBTime, breakdown.fABTime,
        breakdown.postProcessTime, breakdown.shuffleBytes, failed() ? quoted(failure) : "");
  }

  /** A CSV field in double quotes, inner quotes doubled (RFC 4180). */
  private static String quoted(String s) {
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
