package org.sparkamm.loader;

import java.util.TreeSet;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.random.CounterRng;
import org.sparkamm.random.Streams;

/**
 * LibAMM's synthetic loaders: A is aRow x aCol, B is aCol x bCol (keys {@code aRow} 100,
 * {@code aCol} 1000, {@code bCol} 500, {@code seed} 114514), every entry a pure function of
 * (seed, matrix, row, column) (see {@link GeneratedMatrix}); LibAMM's torch random stream itself
 * cannot be reproduced. Tags and their keys (defaults as LibAMM):
 * <ul>
 *   <li>{@code random}: U[0, 1).
 *   <li>{@code gaussian}: N(avgA, sigmaA^2), N(avgB, sigmaB^2) (0, 1); {@code randA}/{@code randB} = 1
 *       makes that matrix U[0, 1).
 *   <li>{@code exponential}: Exponential(1). {@code poisson}: Poisson(1).
 *   <li>{@code binomial}: the sum of {@code trials} (10) Bernoulli({@code probability} 0.5) draws.
 *   <li>{@code beta}: Beta({@code a}, {@code b}) (2, 2), a true Beta through two Gamma variates
 *       (LibAMM's |N1|^(1/a) / (|N1|^(1/a) + |N2|^(1/b)) is not Beta distributed).
 *   <li>{@code sparse}: U[0, 1) with each entry kept with probability {@code aDensity}/{@code bDensity}
 *       (1.0); {@code aReduce}/{@code bReduce} (0) rows, chosen at random among rows 1.., are copies of
 *       row 0 (linearly dependent rows). LibAMM resets aReduce when bReduce &ge; aCol; here each count
 *       is checked against its own matrix.
 *   <li>{@code zeroMasked}: zero except a top-left floor(rows nnz) x floor(cols nnz) block of U[0, 1)
 *       ({@code nnzA}, {@code nnzB} 1.0), so the density is about nnz^2, as in LibAMM.
 *   <li>{@code zipf}: index samples k - 1, k in {1..rows cols} with P(k) ~ k^-alpha
 *       ({@code zipfAlphaA}, {@code zipfAlphaB} 0.0; 0 is uniform, larger is more skewed), divided by
 *       the largest sample; {@code randA}/{@code randB} = 1 makes that matrix U[0, 1).
 * </ul>
 *
 * <p>Each loader also has a {@link #trainingDraw()}: the same distribution drawn from streams of its
 * own, on which the codebook methods train before they are measured on this draw.
 */
public final class GeneratorLoader implements MatrixLoader {
  static final String[] TAGS = {"random", "gaussian", "exponential", "poisson", "binomial", "beta", "sparse",
      "zeroMasked", "zipf"};
  private static final long[] TEST_STREAMS = {Streams.LOADER_A, Streams.LOADER_B, Streams.LOADER_REDUCE_A,
      Streams.LOADER_REDUCE_B};
  private static final long[] TRAINING_STREAMS = {Streams.LOADER_TRAINING_A, Streams.LOADER_TRAINING_B,
      Streams.LOADER_TRAINING_REDUCE_A, Streams.LOADER_TRAINING_REDUCE_B};
  private final String tag;
  /** The streams of A, B and their reduced rows: the test draw's, or the training draw's. */
  private final long[] streams;
  private AmmConfig config;
  private GeneratedMatrix a;
  private GeneratedMatrix b;
  private boolean normalizeByMax;

  GeneratorLoader(String tag) {
    this(tag, TEST_STREAMS);
  }

  private GeneratorLoader(String tag, long[] streams) {
    this.tag = tag;
    this.streams = streams;
    setConfig(new AmmConfig());
  }

  /**
   * The training draw: a loader of the same tag and configuration (so the same shapes and
   * distribution) whose A, B and reduced rows come from streams of their own, hence independent of
   * this draw's entries and of each other (every entry a pure function of (seed, stream, index)).
   * The codebook methods train on it and are measured on this draw. A training draw's own training
   * draw is itself.
   */
  public GeneratorLoader trainingDraw() {
    return new GeneratorLoader(tag, TRAINING_STREAMS).setConfig(config);
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public GeneratorLoader setConfig(AmmConfig cfg) {
    long aRow = cfg.getLong("aRow", 100, 1, Integer.MAX_VALUE);
    long aCol = cfg.getLong("aCol", 1000, 1, Integer.MAX_VALUE);
    long bCol = cfg.getLong("bCol", 500, 1, Integer.MAX_VALUE);
    long seed = cfg.getLong("seed", 114514);
    long keyA = CounterRng.streamKey(seed, streams[0]);
    long keyB = CounterRng.streamKey(seed, streams[1]);
    normalizeByMax = false;
    config = new AmmConfig(cfg);
    switch (tag) {
      case "random":
        a = new GeneratedMatrix(aRow, aCol, keyA, Sampler.uniform());
        b = new GeneratedMatrix(aCol, bCol, keyB, Sampler.uniform());
        break;
      case "gaussian":
        a = new GeneratedMatrix(aRow, aCol, keyA, flag(cfg, "randA") ? Sampler.uniform()
            : Sampler.gaussian(cfg.getDouble("avgA", 0), nonNegative(cfg, "sigmaA", 1)));
        b = new GeneratedMatrix(aCol, bCol, keyB, flag(cfg, "randB") ? Sampler.uniform()
            : Sampler.gaussian(cfg.getDouble("avgB", 0), nonNegative(cfg, "sigmaB", 1)));
        break;
      case "exponential":
        a = new GeneratedMatrix(aRow, aCol, keyA, Sampler.exponential(1));
        b = new GeneratedMatrix(aCol, bCol, keyB, Sampler.exponential(1));
        break;
      case "poisson":
        a = new GeneratedMatrix(aRow, aCol, keyA, Sampler.poisson(1));
        b = new GeneratedMatrix(aCol, bCol, keyB, Sampler.poisson(1));
        break;
      case "binomial": {
        int trials = (int) cfg.getLong("trials", 10, 0, 1_000_000);
        double p = probability(cfg, "probability", 0.5);
        a = new GeneratedMatrix(aRow, aCol, keyA, Sampler.binomial(trials, p));
        b = new GeneratedMatrix(aCol, bCol, keyB, Sampler.binomial(trials, p));
        break;
      }
      case "beta": {
        double pa = positive(cfg, "a", 2.0);
        double pb = positive(cfg, "b", 2.0);
        a = new GeneratedMatrix(aRow, aCol, keyA, Sampler.beta(pa, pb));
        b = new GeneratedMatrix(aCol, bCol, keyB, Sampler.beta(pa, pb));
        break;
      }
      case "sparse":
        a = new GeneratedMatrix(aRow, aCol, keyA, Sampler.uniform()).density(probability(cfg, "aDensity", 1.0))
            .copiesOfRowZero(reducedRows(seed, streams[2], aRow, cfg.getLong("aReduce", 0, 0, aRow - 1)));
        b = new GeneratedMatrix(aCol, bCol, keyB, Sampler.uniform()).density(probability(cfg, "bDensity", 1.0))
            .copiesOfRowZero(reducedRows(seed, streams[3], aCol, cfg.getLong("bReduce", 0, 0, aCol - 1)));
        break;
      case "zeroMasked": {
        double nnzA = probability(cfg, "nnzA", 1.0);
        double nnzB = probability(cfg, "nnzB", 1.0);
        a = new GeneratedMatrix(aRow, aCol, keyA, Sampler.uniform())
            .nonZeroRegion((long) Math.floor(aRow * nnzA), (long) Math.floor(aCol * nnzA));
        b = new GeneratedMatrix(aCol, bCol, keyB, Sampler.uniform())
            .nonZeroRegion((long) Math.floor(aCol * nnzB), (long) Math.floor(bCol * nnzB));
        break;
      }
      case "zipf": {
        normalizeByMax = true;
        double alphaA = nonNegative(cfg, "zipfAlphaA", 0.0);
        double alphaB = nonNegative(cfg, "zipfAlphaB", 0.0);
        a = new GeneratedMatrix(aRow, aCol, keyA, flag(cfg, "randA") ? Sampler.uniform() : zipf(aRow * aCol, alphaA));
        b = new GeneratedMatrix(aCol, bCol, keyB, flag(cfg, "randB") ? Sampler.uniform() : zipf(aCol * bCol, alphaB));
        break;
      }
      default:
        throw new IllegalStateException(tag);
    }
    return this;
  }

  /** The generator of A, for distributed generation. */
  public GeneratedMatrix generatorA() {
    return a;
  }

  /** The generator of B, for distributed generation. */
  public GeneratedMatrix generatorB() {
    return b;
  }

  /** True when entries are divided by the largest one after generation ({@code zipf}). */
  public boolean normalizesByMax() {
    return normalizeByMax;
  }

  @Override
  public DenseMatrix getA() {
    return local(a);
  }

  @Override
  public DenseMatrix getB() {
    return local(b);
  }

  private DenseMatrix local(GeneratedMatrix g) {
    DenseMatrix m = g.whole();
    if (normalizeByMax) {
      divideByMax(m);
    }
    return m;
  }

  /** Divides every entry of m, in place, by its largest entry, unless that is not positive. */
  public static void divideByMax(DenseMatrix m) {
    double[] v = m.values();
    double max = 0;
    for (double x : v) {
      max = Math.max(max, x);
    }
    if (max > 0) {
      for (int i = 0; i < v.length; i++) {
        v[i] /= max;
      }
    }
  }

  private static Sampler zipf(long n, double alpha) {
    ZipfSampler z = new ZipfSampler(n, alpha);
    return r -> z.sample(r) - 1;
  }

  /** k distinct rows among 1..rows-1 by Floyd's algorithm, keyed by the seed: sorted. */
  private static long[] reducedRows(long seed, long stream, long rows, long k) {
    long key = CounterRng.streamKey(seed, stream);
    TreeSet<Long> chosen = new TreeSet<>();
    long n = rows - 1; // candidates 1..rows-1
    for (long j = n - k; j < n; j++) {
      long t = (long) (CounterRng.uniform(key, j) * (j + 1));
      chosen.add(chosen.contains(t + 1) ? j + 1 : t + 1);
    }
    return chosen.stream().mapToLong(Long::longValue).toArray();
  }

  private static boolean flag(AmmConfig cfg, String key) {
    return cfg.getLong(key, 0, 0, 1) == 1;
  }

  private static double probability(AmmConfig cfg, String key, double fallback) {
    double p = cfg.getDouble(key, fallback);
    AmmArgumentException.require(p >= 0 && p <= 1, "config key '%s' must be in [0, 1], got %s", key, p);
    return p;
  }

  private static double positive(AmmConfig cfg, String key, double fallback) {
    double x = cfg.getDouble(key, fallback);
    AmmArgumentException.require(x > 0 && Double.isFinite(x), "config key '%s' must be positive, got %s", key, x);
    return x;
  }

  private static double nonNegative(AmmConfig cfg, String key, double fallback) {
    double x = cfg.getDouble(key, fallback);
    AmmArgumentException.require(x >= 0 && Double.isFinite(x), "config key '%s' must be non-negative, got %s", key, x);
    return x;
  }

}
