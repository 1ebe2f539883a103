package org.sparkamm.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.sparkamm.Amm;
import org.sparkamm.algo.CodebookAlgorithm;
import org.sparkamm.codebook.Codebook;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.io.AtomicFile;
import org.sparkamm.local.Blas;

/**
 * {@code spark-amm bench}: N independent trials (seeds S, S+1, ...) of each algorithm and sketch
 * size on the same inputs, side by side with the exact product measured in the same run. Writes one
 * CSV row per trial (relative Frobenius error to 13 significant digits, the error the theory
 * expects for that sketch size, wall-clock milliseconds, the phase breakdown, shuffle bytes) and a
 * summary on stderr: median time, speed-up against exact, and time as a multiple of one read of the
 * inputs (the floor of any one-pass method, the fastest read Java can do: {@link Problem#floorMillis}). The algorithm, the loader and one sketch size may come
 * from a LibAMM config ({@link RunConfig}). A codebook method given no codebook ({@code codebookPath})
 * is first trained on other data of the same distribution ({@link Problem#training}: other columns of
 * the {@code --gen} generators, or a generating loader's training draw); its training time is
 * reported on stderr, apart from its multiply times, whose breakdown has encoding A in buildATime,
 * B's tables or encoding in buildBTime and the table lookups in fABTime.
 */
final class BenchCommand {
  static final String HEADER = "algo,sketch,trial,seed,fro_error,expected_error,millis,"
      + "buildATime,buildBTime,fABTime,postProcessTime,shuffle_bytes";

  private BenchCommand() {}

  static void run(String[] argv, PrintStream out, PrintStream err) {
    Set<String> options = new HashSet<>(Problem.VALUE_OPTIONS);
    options.addAll(Set.of("algo", "sketch", "trials", "csv"));
    Args args = new Args("bench", argv, 1, options, Problem.FLAG_OPTIONS);
    RunConfig conf = RunConfig.of("bench", args);
    List<Amm> algos = new ArrayList<>();
    for (String tag : conf.algo().split(",")) {
      algos.add(conf.configure(Amm.create(tag)));
    }
    int[] sketches = conf.sketches(true);
    for (int k : sketches) {
      AmmArgumentException.require(k >= 1, "sketch size must be at least 1, got %d", k);
    }
    int trials = args.getInt("trials", 1);
    AmmArgumentException.require(trials >= 1, "--trials must be at least 1, got %d", trials);
    long seed = conf.seed();
    Path csv = OutputFile.check("csv", args.get("csv"));
    Measurement result;
    try (Problem problem = Problem.load("bench", args, conf)) {
      conf.reportUnread(err);
      result = measure(problem, conf, algos, sketches, trials, seed, false, err);
      err.println("[bench] local products ran on backend " + problem.backendName(algos.get(0)));
    }
    for (String line : result.table()) {
      err.println("[bench] " + line);
    }
    if (csv == null) {
      out.print(result.csv);
    } else {
      AtomicFile.write(csv, os -> os.write(result.csv.toString().getBytes(StandardCharsets.UTF_8)));
    }
  }

  /** The CSV rows, the summaries and the two reference times of one benchmark run. */
  static final class Measurement {
    final StringBuilder csv = new StringBuilder(HEADER).append('\n');
    final List<TrialSummary> summaries = new ArrayList<>();
    long exactMillis;
    /** The floor: the fastest read of both inputs ({@link Problem#floorMillis}). */
    double readMillis;

    List<String> table() {
      List<String> lines = new ArrayList<>();
      lines.add(String.format(Locale.ROOT, "%-12s %7s %10s %11s %11s %9s %8s", "algorithm", "sketch", "median_ms",
          "rel_error", "expected", "speedup", "x_read"));
      for (TrialSummary r : summaries) {
        if (!r.succeeded()) {
          lines.add(String.format(Locale.ROOT, "%-12s %7d failed: %s", r.tag, r.sketch, r.failure));
          continue;
        }
        lines.add(String.format(Locale.ROOT, "%-12s %7d %10d %11.5f %11.5f %9.1f %8.1f%s", r.tag, r.sketch,
            r.medianMillis, r.meanError, r.meanExpected, exactMillis / (double) Math.max(1, r.medianMillis),
            r.medianMillis / Math.max(1e-3, readMillis), r.failure == null ? "" : "  (some failed: "
                + r.failure + ")"));
      }
      return lines;
    }
  }

  /**
   * The exact reference, then every algorithm and sketch size ({@link Trials}); {@code conf}
   * configures the reference too. A failed trial ends the run with its error unless
   * {@code keepGoing}, which reports it and goes on.
   */
  static Measurement measure(Problem problem, RunConfig conf, List<Amm> algos, int[] sketches, int trials, long seed,
      boolean keepGoing, PrintStream err) {
    Measurement result = new Measurement();
    err.printf("[bench] %s on %s, BLAS %s%n", problem.shape(), problem.onSpark ? "Spark" : "the local engine",
        Blas.implementation());
    try (Trials loop = Trials.start(problem, conf, false)) {
      result.readMillis = loop.readMillis;
      result.exactMillis = loop.exact.millis;
      err.printf(Locale.ROOT, "[bench] exact product (reference): %d ms; fastest read of both inputs (the floor of"
          + " x_read): %.1f ms%n", loop.exact.millis, result.readMillis);
      trainCodebooks(problem, "bench", algos, sketches[0], err, "[bench] ");
      for (Amm amm : algos) {
        for (int k : amm.algorithm().isExact() ? new int[] {sketches[0]} : sketches) {
          List<Trial> done = new ArrayList<>();
          for (int t = 0; t < trials; t++) {
            Trial trial = loop.run(amm, k, t, seed + t, false);
            if (trial.failed() && !keepGoing) {
              throw Trial.rethrow(trial.cause);
            }
            done.add(trial);
            result.csv.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%.12e,%.12e,%d,%d,%d,%d,%d,%d%n", trial.tag, k,
                t, trial.seed, trial.error, trial.expected, trial.millis, trial.breakdown.buildATime,
                trial.breakdown.buildBTime, trial.breakdown.fABTime, trial.breakdown.postProcessTime,
                trial.breakdown.shuffleBytes));
            err.printf(Locale.ROOT, "[bench] %s k=%d trial %d/%d: %s%n", amm.tag(), k, t + 1, trials,
                trial.failed() ? "failed: " + trial.failure : String.format(Locale.ROOT, "%d ms, error %.4f",
                    trial.millis, trial.error));
          }
          TrialSummary summary = new TrialSummary(done);
          if (amm.algorithm().isExact() && summary.succeeded()) {
            result.exactMillis = summary.medianMillis;
          }
          result.summaries.add(summary);
        }
      }
    }
    return result;
  }

  /**
   * Trains the codebook of each codebook method that has none (no {@code codebookPath} given) on
   * training data of the problem's distribution ({@link Problem#training}), and reports the training
   * time on {@code log}, apart from the multiply times.
   */
  static void trainCodebooks(Problem problem, String command, List<Amm> algos, int k, PrintStream log, String prefix) {
    for (Amm amm : algos) {
      if (amm.algorithm().needsTraining() && !((CodebookAlgorithm) amm.algorithm()).hasCodebook()) {
        try (Problem training = problem.training(command)) {
          long t0 = System.nanoTime();
          Codebook cb = training.train(amm, k);
          log.printf("%strained %s in %d ms (not in its multiply time): %s, on %d rows of another A%s%n", prefix,
              amm.tag(), (System.nanoTime() - t0) / 1_000_000, cb, cb.trainingRows(),
              cb.twoSided() ? " and " + cb.trainingColumns() + " columns of another B" : "");
        }
      }
    }
  }
}
