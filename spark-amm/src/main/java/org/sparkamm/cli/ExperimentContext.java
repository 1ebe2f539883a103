package org.sparkamm.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.sparkamm.Amm;
import org.sparkamm.algo.AmmAlgorithm;
import org.sparkamm.algo.SketchSizing;
import org.sparkamm.error.AmmArgumentException;

/**
 * What an experiment runs with: its options, checked before any work starts ({@code --engine}
 * spark, local or both as {@code spark,local}; {@code --trials N}; {@code --algo TAG,...}, default
 * every registered algorithm; {@code --sketch L,...}; {@code --size}, which each experiment reads
 * itself), the inputs it names loaded on each engine, the shared trial loop ({@link Trials}) and one
 * progress line. {@code --seed} and the engine and configuration options of {@code bench}
 * ({@code --set}, {@code --config}, {@code --master}, {@code --partitions}, {@code --block-size},
 * {@code --mid-splits}) pass through to the load and the algorithms. Trial t uses seed S + t; a
 * cold trial repeats trial 0's seed. Methods that do not read the sketch size (see
 * {@link #readsSketchSize}) run at the first sketch size only.
 */
final class ExperimentContext {
  /** The options of {@code spark-amm experiment NAME}. */
  static final Set<String> OPTIONS = Set.of("engine", "out", "trials", "algo", "sketch", "size", "seed", "set",
      "config", "master", "partitions", "block-size", "mid-splits");
  private static final List<String> PASSED = List.of("seed", "config", "master", "partitions", "block-size",
      "mid-splits");

  final String name;
  final List<String> engines;
  final int trials;
  /** Canonical tags, in the order given (default: the registry's). */
  final List<String> tags;
  final int[] sketches;
  final PrintStream err;
  private final String command;
  private final Args args;
  private final List<String> passThrough = new ArrayList<>();
  private Progress progress;
  private boolean unreadReported;

  /** The results of one engine: its trials and the reference times. */
  static final class Measured {
    final String engine;
    final String shape;
    final double readMillis;
    /** The exact product's first (cold) run, the reference the errors are measured against. */
    final long referenceMillis;
    final long seed;
    final List<Trial> trials;
    /**
     * Beside each trial, what {@code --sketch auto} predicts for it ({@link Trials#predict}, the pilot
     * drawn at {@link #seed}); null for a cold or failed trial, a method without a closed form, or a
     * run that did not ask for predictions.
     */
    final List<SketchSizing.Prediction> predictions;

    Measured(String engine, String shape, double readMillis, long referenceMillis, long seed, List<Trial> trials,
        List<SketchSizing.Prediction> predictions) {
      this.engine = engine;
      this.shape = shape;
      this.readMillis = readMillis;
      this.referenceMillis = referenceMillis;
      this.seed = seed;
      this.trials = trials;
      this.predictions = predictions;
    }
  }

  ExperimentContext(Experiment experiment, Args args, PrintStream err) {
    this.name = experiment.name();
    this.command = "experiment " + name;
    this.args = args;
    this.err = err;
    List<String> engineList = new ArrayList<>();
    if (args.get("engine") == null) {
      engineList.addAll(experiment.defaultEngines());
    } else {
      for (String e : args.get("engine").split(",")) {
        String engine = e.strip();
        AmmArgumentException.require(engine.equals("spark") || engine.equals("local"),
            "--engine must be spark, local or spark,local, got '%s'", args.get("engine"));
        AmmArgumentException.require(!engineList.contains(engine), "--engine names %s twice", engine);
        engineList.add(engine);
      }
    }
    this.engines = List.copyOf(engineList);
    this.trials = args.getInt("trials", experiment.defaultTrials());
    AmmArgumentException.require(trials >= 1, "--trials must be at least 1, got %d", trials);
    Set<String> chosen = new LinkedHashSet<>();
    for (String tag : args.get("algo") == null ? Amm.tags() : List.of(args.get("algo").split(","))) {
      chosen.add(Amm.create(tag).tag()); // an unknown tag: one line listing the valid ones
    }
    this.tags = List.copyOf(chosen);
    this.sketches = args.get("sketch") == null ? experiment.defaultSketches().clone()
        : Args.parseInts("sketch", args.get("sketch"));
    for (int l : sketches) {
      AmmArgumentException.require(l >= 1, "--sketch sizes must be at least 1, got %d", l);
    }
    for (String option : PASSED) {
      if (args.get(option) != null) {
        passThrough.addAll(List.of("--" + option, args.get(option)));
      }
    }
    for (String kv : args.all("set")) {
      passThrough.addAll(List.of("--set", kv));
    }
    // A bad --set or --config value fails now, not after the first engine has loaded its inputs.
    RunConfig conf = RunConfig.of(command, argsFor(List.of(), engines.get(0)));
    for (String tag : tags) {
      conf.configure(Amm.create(tag));
    }
  }

  /** The value of option {@code name} ({@code --name value}), or null when absent. */
  String option(String name) {
    return args.get(name);
  }

  /** Option {@code name} as a number, or {@code fallback} when absent (a one-line error when not a number). */
  double number(String name, double fallback) {
    return args.getDouble(name, fallback);
  }

  /** {@code --seed}, or the library's default seed; trial t uses this + t. */
  long seed() {
    return args.getLong("seed", Amm.DEFAULT_SEED);
  }

  /**
   * False for the methods whose result does not depend on the sketch size, as their Javadoc states:
   * the exact product (and exact modes such as {@code int8_fp64}), block low-rank approximation
   * (its ranks set the accuracy), scalar quantization (every entry rounded) and the codebook methods
   * (their codebook, trained once, fixes the result; the sketch size is read only by training).
   */
  static boolean readsSketchSize(AmmAlgorithm algo) {
    return !(algo.isExact() || algo.factorsBlocks() || algo.quantizesEntries() || algo.needsTraining());
  }

  /**
   * {@code --size} as positive integers, or {@code fallback} when absent; it must have one of the
   * {@code counts} numbers of values ({@code form} says which, for the error).
   */
  long[] size(long[] fallback, String form, int... counts) {
    String v = args.get("size");
    if (v == null) {
      return fallback.clone();
    }
    String[] parts = v.split(",");
    boolean countOk = false;
    for (int c : counts) {
      countOk |= parts.length == c;
    }
    AmmArgumentException.require(countOk, "%s: --size must be %s, got '%s'", command, form, v);
    long[] out = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Args.parseLong("size", parts[i]);
      AmmArgumentException.require(out[i] >= 1 && out[i] <= Integer.MAX_VALUE,
          "%s: --size values must be in [1, %d], got '%s'", command, Integer.MAX_VALUE, v);
    }
    return out;
  }

  /**
   * Loads the inputs that {@code inputs} name (options of {@code bench}: {@code --gen ...},
   * {@code --loader TAG --set key=value}, {@code --transpose-a}) on {@code engine}; measures the
   * exact product, then every algorithm at every sketch size it reads, {@link #trials}
   * times each, after one cold trial when {@code coldTrial} (for {@code mm}, its reference run).
   * Failed trials are recorded and the run goes on.
   */
  Measured measure(String engine, List<String> inputs, boolean coldTrial) {
    return measure(engine, inputs, coldTrial, false);
  }

  /**
   * As {@link #measure(String, List, boolean)}; {@code predict} adds, beside each warm trial that
   * succeeded, the error {@code --sketch auto} predicts for it ({@link Trials#predict}).
   */
  Measured measure(String engine, List<String> inputs, boolean coldTrial, boolean predict) {
    Args load = argsFor(inputs, engine);
    RunConfig conf = RunConfig.of(command, load);
    List<Amm> algos = new ArrayList<>();
    for (String tag : tags) {
      algos.add(conf.configure(Amm.create(tag)));
    }
    long seed = conf.seed();
    progress(engines.size() * steps(algos, coldTrial)).note("loading the inputs on the " + engine + " engine");
    List<Trial> done = new ArrayList<>();
    List<SketchSizing.Prediction> predictions = new ArrayList<>();
    try (Problem problem = Problem.load(command, load, conf, false)) {
      if (!unreadReported) {
        conf.reportUnread(err);
        unreadReported = true;
      }
      progress.begin(engine + ": exact product (reference)");
      try (Trials loop = Trials.start(problem, conf, true)) {
        progress.note(String.format(Locale.ROOT, "%s on %s: exact product (reference) %d ms, fastest read of the inputs"
            + " %.1f ms", problem.shape(), engine, loop.exact.millis, loop.readMillis));
        try { // codebook methods train on other data of the same generators first, where there are such
          BenchCommand.trainCodebooks(problem, command, algos, sketches[0], err, "[" + command + "] ");
        } catch (RuntimeException e) {
          progress.note("codebooks not trained (their trials will fail): " + Main.failureMessage(e));
        }
        for (Amm amm : algos) {
          for (int k : readsSketchSize(amm.algorithm()) ? sketches : new int[] {sketches[0]}) {
            for (int t = coldTrial ? -1 : 0; t < trials; t++) {
              boolean cold = t < 0;
              int index = Math.max(t, 0);
              String what = String.format(Locale.ROOT, "%s %s l=%d %s", engine, amm.tag(), k,
                  cold ? "cold" : "trial " + (index + 1) + "/" + trials);
              progress.begin(what);
              Trial trial = cold && amm.tag().equals(Trials.REFERENCE) ? loop.reference(k, seed)
                  : loop.run(amm, k, index, seed + index, cold);
              done.add(trial);
              predictions.add(predict && !cold && !trial.failed() ? prediction(loop, amm, k, seed + index, seed)
                  : null);
              progress.end(what, trial);
            }
          }
        }
        return new Measured(engine, problem.shape(), loop.readMillis, loop.exact.millis, seed, done, predictions);
      }
    }
  }

  /** {@link Trials#predict}, or null (noted on the progress line) when computing it fails. */
  private SketchSizing.Prediction prediction(Trials loop, Amm amm, int k, long seed, long pilotSeed) {
    try {
      return loop.predict(amm.algorithm(), k, seed, pilotSeed);
    } catch (RuntimeException e) {
      progress.note(amm.tag() + " l=" + k + ": no prediction: " + Main.failureMessage(e));
      return null;
    }
  }

  /**
   * The experiment's progress line, made for {@code total} steps on first use (by {@link #measure},
   * or by an experiment that runs its own loop).
   */
  Progress progress(int total) {
    if (progress == null) {
      progress = new Progress(name, err, total);
    }
    return progress;
  }

  /** Ends the progress line; the number of failed trials. */
  int finish() {
    if (progress == null) {
      return 0;
    }
    progress.finish();
    return progress.failures();
  }

  private int steps(List<Amm> algos, boolean coldTrial) {
    int settings = 0;
    for (Amm amm : algos) {
      settings += readsSketchSize(amm.algorithm()) ? sketches.length : 1;
    }
    return settings * (trials + (coldTrial ? 1 : 0));
  }

  private Args argsFor(List<String> inputs, String engine) {
    List<String> argv = new ArrayList<>(passThrough);
    argv.addAll(inputs);
    argv.addAll(List.of("--engine", engine));
    return new Args(command, argv.toArray(new String[0]), 0, Problem.VALUE_OPTIONS, Problem.FLAG_OPTIONS);
  }
}
