package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkamm.algo.AmmAlgorithm;
import org.sparkamm.algo.CrsV2;
import org.sparkamm.algo.InnerNorms;
import org.sparkamm.algo.InnerStats;
import org.sparkamm.algo.LocalEngine;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.local.FrobeniusError;
import org.sparkamm.sketch.BernoulliSampler;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.RandomMasses;
import org.sparkamm.sketch.SparseSignSketch;

/**
 * Every sketch's error against theory, on three input families (zero-mean Gaussian; non-negative
 * uniform, like LibAMM's {@code random} loader; coherent and heavy-tailed, where three inner indices
 * hold most of the mass), over T independent seeds 0 .. T-1.
 *
 * <p>Closed forms: with e_t = ||C_t - AB||_F^2 and E_t the library's {@code expectedSquaredError}
 * for seed t (E_t varies with t only for crsV2 and bcrs, whose probabilities come from the seed),
 * d_t = e_t - E_t are independent with mean 0 if the formula is right, so by the central limit
 * theorem |mean(d)| &le; z sd(d) / sqrt(T) with z = 4 (two-sided failure probability 6e-5 per
 * check). Each formula is also written here as a sum of terms; the library's value must equal the
 * sum, and for every term, the formula with that term dropped must be rejected by the same check on
 * at least one family: the tests have the power to see every term.
 *
 * <p>Unbiasedness: the mean Cbar of T estimates has E||Cbar - AB||^2 = mean(E_t) / T exactly when
 * E[C] = AB; a bias does not shrink with T. ||Cbar - AB||^2 T / mean(E) is asymptotically a
 * weighted sum of chi-square(1) variables with weights summing to one, at worst one chi-square(1),
 * whose 99.7% quantile is 8.8: bound 9 mean(E) / T.
 */
class SketchTheoryTest {
  private static final int T = 2000;
  private static final double Z = 4.0;
  private static final int M = 12;
  private static final int N = 60;
  private static final int P = 10;
  private static final int L = 15;

  /** The three input families. */
  enum Family {
    GAUSSIAN,
    NONNEGATIVE,
    COHERENT,
    /**
     * Every inner index carries the same outer product (A's columns equal, B's rows equal): then
     * ||AB||^2 = n^2 ||a||^2 ||b||^2 is as large as it gets, which makes the -||AB||^2 terms of the
     * random-probability samplers visible. Uniform and norm-weighted sampling are exact here.
     */
    PARALLEL;

    DenseMatrix a(int m, int n) {
      return this == GAUSSIAN ? TestMatrices.gaussian(m, n, 1)
          : this == NONNEGATIVE ? TestMatrices.uniform(m, n, 1)
          : this == COHERENT ? TestMatrices.coherent(m, n, 1, true) : repeated(TestMatrices.gaussian(m, 1, 3), n, true);
    }

    DenseMatrix b(int n, int p) {
      return this == GAUSSIAN ? TestMatrices.gaussian(n, p, 2)
          : this == NONNEGATIVE ? TestMatrices.uniform(n, p, 2)
          : this == COHERENT ? TestMatrices.coherent(n, p, 2, false) : repeated(TestMatrices.gaussian(1, p, 4), n, false);
    }

    /** The single column (row) v repeated n times. */
    private static DenseMatrix repeated(DenseMatrix v, int n, boolean columns) {
      int len = columns ? v.numRows() : v.numCols();
      DenseMatrix out = DenseMatrix.zeros(columns ? len : n, columns ? n : len);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < len; j++) {
          if (columns) {
            out.update(j, i, v.apply(j, 0));
          } else {
            out.update(i, j, v.apply(0, j));
          }
        }
      }
      return out;
    }

    /** The families a closed form is checked on (uniform and weighted sampling are exact on PARALLEL). */
    static Family[] forTag(String tag) {
      return tag.equals("crs") || tag.equals("weighted-cr") ? new Family[] {GAUSSIAN, NONNEGATIVE, COHERENT} : values();
    }
  }

  /** One input pair with everything the formulas read. */
  static final class Inputs {
    final DenseMatrix a;
    final DenseMatrix b;
    final double[] exact;
    final double productNorm2;
    final double[] a2;
    final double[] b2;
    final InnerStats stats;
    final InnerNorms norms;

    Inputs(DenseMatrix a, DenseMatrix b) {
      this.a = a;
      this.b = b;
      this.exact = TestMatrices.naiveProduct(a, b);
      this.productNorm2 = FrobeniusError.squaredNorm(exact);
      int n = a.numCols();
      a2 = new double[n];
      b2 = new double[n];
      for (int i = 0; i < n; i++) {
        for (int r = 0; r < a.numRows(); r++) {
          a2[i] += a.apply(r, i) * a.apply(r, i);
        }
        for (int c = 0; c < b.numCols(); c++) {
          b2[i] += b.apply(i, c) * b.apply(i, c);
        }
      }
      norms = LocalEngine.norms(a, b);
      stats = norms.stats();
    }

    static Inputs of(Family f) {
      return new Inputs(f.a(M, N), f.b(N, P));
    }
  }

  /** One term of a closed form, written out independently of the library. */
  interface Term {
    double of(Inputs in, int l, long seed);
  }

  /** What T trials measured. */
  static final class Trials {
    final int count;
    final double[] errors;
    final double[] expected;
    double[] meanC;

    Trials(int count) {
      this.count = count;
      errors = new double[count];
      expected = new double[count];
    }

    double meanError() {
      return mean(errors);
    }

    double meanExpected() {
      return mean(expected);
    }

    /** |mean(e - f)| / (sd(e - f) / sqrt(T)) for a per-seed formula f. */
    double zScore(double[] formula) {
      double[] d = new double[count];
      for (int t = 0; t < count; t++) {
        d[t] = errors[t] - formula[t];
      }
      double mu = mean(d);
      double var = 0;
      for (double x : d) {
        var += (x - mu) * (x - mu);
      }
      double sd = Math.sqrt(var / (count - 1));
      return Math.abs(mu) / (sd / Math.sqrt(count));
    }
  }

  static double mean(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return s / x.length;
  }

  /**
   * The seed whose random probabilities crsV2 and bcrs are tested with. Their error averaged over
   * seeds is infinite (E[1/u] diverges for uniform weights u), so their closed forms are checked
   * conditionally: the probabilities of this seed, the draws (coins) of seeds 0 .. T-1.
   */
  private static final long WEIGHT_SEED = 5;

  /**
   * Their -||AB||^2 (crsV2) and -sum ||a_i||^2 ||b_i||^2 (bcrs) terms are a few tenths of the first
   * term at most: 20,000 trials make them visible (z &gt; 10 for the dropped term).
   */
  private static final int CONDITIONAL_TRIALS = 20_000;

  private static boolean isConditional(String tag) {
    return tag.equals("crsV2") || tag.equals("bcrs");
  }

  static Trials run(String tag, AmmConfig cfg, Inputs in, int l) {
    return run(tag, cfg, in, l, T);
  }

  static Trials run(String tag, AmmConfig cfg, Inputs in, int l, int trials) {
    Amm amm = Amm.create(tag).setConfig(cfg);
    boolean conditional = isConditional(tag);
    Trials tr = new Trials(trials);
    tr.meanC = new double[in.exact.length];
    for (int t = 0; t < trials; t++) {
      double[] c;
      if (conditional) {
        long n = in.a.numCols();
        InnerSketch sample = tag.equals("crsV2") ? CrsV2.sample(n, l, WEIGHT_SEED, t)
            : BernoulliSampler.sample(WEIGHT_SEED, t, n, l);
        c = LocalEngine.multiply(withSketch(sample), in.a, in.b, l, t, org.sparkamm.local.BackendChoice.CPU).product.toArray();
      } else {
        c = amm.setSeed(t).multiply(in.a, in.b, l).toArray();
      }
      long formulaSeed = conditional ? WEIGHT_SEED : t;
      tr.errors[t] = FrobeniusError.squaredDifference(in.exact, c);
      tr.expected[t] = amm.algorithm().expectedSquaredError(in.norms, in.productNorm2, l, formulaSeed);
      for (int i = 0; i < c.length; i++) {
        tr.meanC[i] += c[i] / trials;
      }
    }
    return tr;
  }

  /** An algorithm that applies a given sketch (to run a sampler with separately chosen seeds). */
  private static AmmAlgorithm withSketch(InnerSketch sketch) {
    return new AmmAlgorithm() {
      @Override
      public String tag() {
        return "given";
      }

      @Override
      public String description() {
        return "a given sketch";
      }

      @Override
      public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
        return sketch;
      }

      @Override
      public double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
        return Double.NaN;
      }
    };
  }

  /** The closed forms, term by term. */
  static Map<String, List<Term>> closedForms() {
    Map<String, List<Term>> f = new LinkedHashMap<>();
    Term frob = (in, l, s) -> in.stats.normA2 * in.stats.normB2 / l;
    Term product = (in, l, s) -> in.productNorm2 / l;
    Term diagonal = (in, l, s) -> -2 * in.stats.sumProduct2 / l;
    f.put("countSketch", List.of(frob, product, diagonal));
    f.put("rip", List.of(frob, product, diagonal));
    f.put("gaussian", List.of(frob, product));
    f.put("crs", List.of((in, l, s) -> in.stats.n * in.stats.sumProduct2 / l, (in, l, s) -> -in.productNorm2 / l));
    f.put("weighted-cr", List.of((in, l, s) -> in.stats.sumProduct * in.stats.sumProduct / l,
        (in, l, s) -> -in.productNorm2 / l));
    f.put("crsV2", List.of((in, l, s) -> {
      long key = RandomMasses.key(s);
      double total = 0;
      for (int i = 0; i < in.a2.length; i++) {
        total += RandomMasses.mass(key, i);
      }
      double sum = 0;
      for (int i = 0; i < in.a2.length; i++) {
        sum += in.a2[i] * in.b2[i] * total / RandomMasses.mass(key, i);
      }
      return sum / l;
    }, (in, l, s) -> -in.productNorm2 / l));
    f.put("bcrs", List.of((in, l, s) -> {
      double tau = BernoulliSampler.tau(s, in.a2.length, l);
      double sum = 0;
      for (int i = 0; i < in.a2.length; i++) {
        sum += in.a2[i] * in.b2[i] / BernoulliSampler.probability(RandomMasses.key(s), i, tau);
      }
      return sum;
    }, (in, l, s) -> -in.stats.sumProduct2));
    // sjlt with s = 3 non-zeros and l = 15 (divisible) uses kappa = 1/l; the kappa test below covers l not divisible by s.
    f.put("sjlt", List.of(frob, product, diagonal));
    return f;
  }

  private static final Map<String, List<Term>> FORMS = closedForms();

  private static AmmConfig configFor(String tag) {
    return tag.equals("sjlt") ? new AmmConfig().edit("sjltNonzeros", 3L) : new AmmConfig();
  }

  private static double[] formula(List<Term> terms, int skip, Inputs in, int l, int trials) {
    double[] out = new double[trials];
    boolean conditional = terms == FORMS.get("crsV2") || terms == FORMS.get("bcrs");
    if (conditional) {
      double value = 0;
      for (int k = 0; k < terms.size(); k++) {
        value += k == skip ? 0 : terms.get(k).of(in, l, WEIGHT_SEED);
      }
      java.util.Arrays.fill(out, value);
      return out;
    }
    for (int t = 0; t < trials; t++) {
      for (int k = 0; k < terms.size(); k++) {
        if (k != skip) {
          out[t] += terms.get(k).of(in, l, t);
        }
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"countSketch", "rip", "gaussian", "crs", "weighted-cr", "crsV2", "bcrs", "sjlt"})
  void closedFormHoldsOnEveryFamilyAndEveryTermIsNeeded(String tag) {
    List<Term> terms = FORMS.get(tag);
    boolean[] termSeen = new boolean[terms.size()];
    for (Family family : Family.forTag(tag)) {
      Inputs in = Inputs.of(family);
      int trials = isConditional(tag) ? CONDITIONAL_TRIALS : T;
      Trials tr = run(tag, configFor(tag), in, L, trials);
      double[] full = formula(terms, -1, in, L, trials);
      for (int t = 0; t < trials; t += 97) {
        assertEquals(full[t], tr.expected[t], 1e-9 * Math.abs(full[t]), tag + ": library formula, seed " + t);
      }
      double z = tr.zScore(tr.expected);
      assertTrue(z <= Z, tag + " on " + family + ": mean squared error " + tr.meanError() + " vs theory "
          + tr.meanExpected() + " (z = " + z + ")");
      double biasSq = FrobeniusError.squaredDifference(in.exact, tr.meanC);
      assertTrue(biasSq <= 9 * tr.meanExpected() / trials,
          tag + " on " + family + ": ||mean - AB||^2 = " + biasSq + " exceeds 9 E/T = " + 9 * tr.meanExpected() / trials);
      for (int k = 0; k < terms.size(); k++) {
        termSeen[k] |= tr.zScore(formula(terms, k, in, L, trials)) > Z;
      }
    }
    for (int k = 0; k < terms.size(); k++) {
      assertTrue(termSeen[k], tag + ": dropping term " + k + " of the formula goes unnoticed on every family");
    }
  }

  /** kappa = (1/s^2) sum_u 1/l_u when s does not divide l: l = 16, s = 3 gives blocks 5, 5, 6. */
  @Test
  void sparseSignKappaForUnevenBlocks() {
    assertEquals((2.0 / 5 + 1.0 / 6) / 9, SparseSignSketch.kappa(16, 3), 1e-15);
    Inputs in = Inputs.of(Family.COHERENT);
    Trials tr = run("sjlt", new AmmConfig().edit("sjltNonzeros", 3L), in, 16);
    double[] kappaOverL = new double[T];
    for (int t = 0; t < kappaOverL.length; t++) {
      kappaOverL[t] = (in.stats.normA2 * in.stats.normB2 + in.productNorm2 - 2 * in.stats.sumProduct2) / 16;
    }
    assertTrue(tr.zScore(tr.expected) <= Z, "sjlt with uneven blocks: z = " + tr.zScore(tr.expected));
    assertEquals(kappaOverL[0] * 16 * SparseSignSketch.kappa(16, 3), tr.expected[0], 1e-9 * tr.expected[0]);
  }

  /**
   * SRHT and FastJLT have no simple closed form: they must be unbiased (bound as above, with the
   * measured mean squared error) and their error within a factor of the Gaussian sketch's at the
   * same l, on incoherent and coherent inputs, with one chunk (D = 256 = n) and with 8 chunks.
   */
  @ParameterizedTest
  @EnumSource(value = Family.class, names = {"GAUSSIAN", "NONNEGATIVE", "COHERENT"})
  void hadamardSketchesAreUnbiasedAndNoWorseThanGaussian(Family family) {
    Inputs in = new Inputs(family.a(M, 256), family.b(256, P));
    double gaussian = run("gaussian", new AmmConfig(), in, 16).meanError();
    for (String tag : new String[] {"srht", "fastjlt"}) {
      for (long chunk : new long[] {1024, 32}) {
        Trials tr = run(tag, new AmmConfig().edit("hadamardChunk", chunk), in, 16);
        double mse = tr.meanError();
        assertTrue(mse <= 1.5 * gaussian, tag + " (chunk " + chunk + ") on " + family + ": mean squared error "
            + mse + " vs gaussian " + gaussian);
        double biasSq = FrobeniusError.squaredDifference(in.exact, tr.meanC);
        assertTrue(biasSq <= 9 * mse / T, tag + " biased on " + family + ": " + biasSq + " > " + 9 * mse / T);
      }
    }
  }

  /** smp-pca: |C_ij| never exceeds the product of exact norms, the Gram diagonal is exact, the error is Gaussian-like. */
  @ParameterizedTest
  @EnumSource(value = Family.class, names = {"GAUSSIAN", "NONNEGATIVE", "COHERENT"})
  void smpPcaKeepsExactNormsAndStaysNearGaussian(Family family) {
    Inputs in = Inputs.of(family);
    Amm amm = Amm.create("smp-pca");
    double[] rowA = new double[M];
    double[] colB = new double[P];
    for (int r = 0; r < M; r++) {
      for (int i = 0; i < N; i++) {
        rowA[r] += in.a.apply(r, i) * in.a.apply(r, i);
      }
    }
    for (int c = 0; c < P; c++) {
      for (int i = 0; i < N; i++) {
        colB[c] += in.b.apply(i, c) * in.b.apply(i, c);
      }
    }
    for (int t = 0; t < 20; t++) {
      Matrix c = amm.setSeed(t).multiply(in.a, in.b, L);
      for (int r = 0; r < M; r++) {
        for (int j = 0; j < P; j++) {
          assertTrue(Math.abs(c.apply(r, j)) <= Math.sqrt(rowA[r] * colB[j]) * (1 + 1e-12), "bound at " + r + "," + j);
        }
      }
      Matrix gram = amm.multiply(in.a, in.a.transpose(), L);
      for (int r = 0; r < M; r++) {
        assertEquals(rowA[r], gram.apply(r, r), 1e-9 * rowA[r], "Gram diagonal " + r);
      }
    }
    double gaussian = run("gaussian", new AmmConfig(), in, L).meanError();
    double smp = run("smp-pca", new AmmConfig(), in, L).meanError();
    assertTrue(smp <= 1.5 * gaussian, "smp-pca on " + family + ": " + smp + " vs gaussian " + gaussian);
  }

  /**
   * tugOfWar returns the best of its repeats by the probe tests: with I = 1 (algoDelta 0.2) it is
   * its first repeat; with I = 3 its mean squared error is no larger than that single repeat's
   * (paired over the same seeds), and no larger than one Rademacher sketch's closed form.
   */
  @ParameterizedTest
  @EnumSource(value = Family.class, names = {"GAUSSIAN", "NONNEGATIVE", "COHERENT"})
  void tugOfWarIsNeverWorseThanItsFirstRepeat(Family family) {
    Inputs in = Inputs.of(family);
    Trials best = run("tugOfWar", new AmmConfig(), in, L);
    Trials first = run("tugOfWar", new AmmConfig().edit("algoDelta", 0.2), in, L);
    double single = FORMS.get("rip").stream().mapToDouble(term -> term.of(in, L, 0)).sum();
    assertEquals(single, first.meanExpected(), 1e-9 * single);
    assertTrue(first.zScore(first.expected) <= Z, "first repeat on " + family + " is a Rademacher sketch");
    assertTrue(best.meanError() <= first.meanError(), "tugOfWar " + best.meanError() + " vs its first repeat "
        + first.meanError() + " on " + family);
    Amm three = Amm.create("tugOfWar");
    Amm one = Amm.create("tugOfWar").setConfig(new AmmConfig().edit("algoDelta", 0.2));
    List<Double> differences = new ArrayList<>();
    for (int t = 0; t < 5; t++) {
      double[] c3 = three.setSeed(t).multiply(in.a, in.b, L).toArray();
      double[] c1 = one.setSeed(t).multiply(in.a, in.b, L).toArray();
      differences.add(TestMatrices.maxAbsDiff(c1, c3));
    }
    assertTrue(differences.stream().anyMatch(d -> d > 0), "three repeats never chose another than the first");
  }

  @Test
  void tugOfWarChoosesTheLowestLowerMedian() {
    org.sparkamm.algo.TugOfWar tow = new org.sparkamm.algo.TugOfWar();
    // tests x repeats: medians (lower, of 4 values) 2, 1, 3 -> repeat 1
    double[][] y = {{1, 9, 3}, {2, 0, 3}, {5, 1, 4}, {2, 1, 3}};
    assertEquals(1, tow.choose(y));
    assertEquals(3, tow.repeats());
    assertEquals(10, tow.tests());
  }
}
