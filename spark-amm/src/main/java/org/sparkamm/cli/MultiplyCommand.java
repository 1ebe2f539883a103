package org.sparkamm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.sparkamm.Amm;
import org.sparkamm.algo.SketchSizing;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.io.Npy;
import org.sparkamm.local.Blas;

/**
 * {@code spark-amm multiply}: one product, written to {@code --out}, described by one JSON line. The
 * algorithm, the loader and the sketch size may come from a LibAMM config ({@link RunConfig}).
 * {@code --sketch auto --target-error E} chooses the sketch size for an expected relative error E
 * ({@link SketchSizing}) and reports the prediction beside the result; {@code millis} stays the
 * multiply alone ({@code sizing_millis} is the choice). {@code backend} names the backend the local
 * products ran on ({@code cpu}, {@code cuda}; on Spark the executors', joined by '+' if they differ).
 * While the inputs load, a {@link Warmup} runs the algorithm on small operands in this JVM so that the
 * timed multiply does not pay for JIT compilation and loading BLAS (locally and on an embedded
 * {@code local[*]} Spark, whose tasks run here; not with a remote {@code --master}, whose executors it
 * could not warm); {@code warmup_wait_millis} is how long the multiply still waited for it after the load.
 */
final class MultiplyCommand {
  private MultiplyCommand() {}

  static void run(String[] argv, PrintStream out, PrintStream err) {
    Set<String> options = new HashSet<>(Problem.VALUE_OPTIONS);
    options.addAll(Set.of("algo", "sketch", "out", "target-error"));
    Args args = new Args("multiply", argv, 1, options, Problem.FLAG_OPTIONS);
    RunConfig conf = RunConfig.of("multiply", args);
    Amm amm = conf.configure(Amm.create(conf.algo()));
    boolean auto = "auto".equals(args.get("sketch"));
    AmmArgumentException.require(auto == (args.get("target-error") != null),
        auto ? "--sketch auto needs --target-error E (a relative error in (0, 1))"
            : "--target-error goes with --sketch auto");
    double target = auto ? args.getDouble("target-error", 0) : 0;
    int k = auto ? 1 : amm.algorithm().isExact() ? conf.sketchOr(1) : conf.sketches(false)[0]; // mm ignores it
    long seed = amm.seed();
    Path outPath = OutputFile.check("out", args.get("out"));
    AmmArgumentException.require(k >= 1, "sketch size must be at least 1, got %d", k);
    // The master the command's session will have (Sessions: --master, else spark.master, else local[*]).
    String master = args.get("master", System.getProperty("spark.master", "local[*]"));
    boolean warm = !amm.algorithm().needsTraining() && master.startsWith("local") && !master.startsWith("local-cluster");
    try (Warmup warmup = warm ? Warmup.start(conf.configure(Amm.create(conf.algo())), auto ? Warmup.ROWS : k,
            args.flag("transpose-a"), args.flag("transpose-b"), !"local".equals(args.get("engine", "spark"))) : null;
        Problem problem = Problem.load("multiply", args, conf)) {
      conf.reportUnread(err);
      SketchSizing.Choice choice = null;
      long sizing = 0;
      if (auto) {
        long t0 = System.nanoTime();
        choice = problem.sketchSizeFor(amm, target);
        sizing = (System.nanoTime() - t0) / 1_000_000;
        k = choice.sketchSize;
      }
      long warmupWait = warmup == null ? 0 : warmup.await(); // the JIT and BLAS warmed during the load
      Problem.Run run = problem.run(amm, k);
      try {
        if (outPath != null) {
          Npy.write(outPath, run.toLocal(), problem.float32);
        }
        Json json = new Json().put("algo", amm.tag()).put("m", problem.m).put("k", problem.n).put("n", problem.p)
            .put("sketch", k).put("seed", seed).put("engine", problem.onSpark ? "spark" : "local")
            .put("millis", run.millis).putAll(run.breakdown.toMap()).put("blas", Blas.implementation())
            .put("backend", problem.backendName(amm))
            .put("warmup_wait_millis", warmupWait);
        if (problem.onSpark && amm.algorithm().isExact()) {
          json.put("numMidDimSplits", problem.midDimSplits(amm)); // chosen when not given
        }
        if (choice != null) {
          json.put("target_error", target).put("predicted_error", choice.predictedError)
              .put("pilot_relative_sd", choice.pilotRelativeSd).put("sizing_millis", sizing);
        }
        if (outPath != null) {
          json.put("out", outPath.toString());
        }
        if (problem.inputNote != null) {
          json.put("inputNote", problem.inputNote); // e.g. a 3-D tensor's leading dimensions folded into rows
        }
        out.println(json);
      } finally { // a failed write too: the product is cached on a session that may outlive the command
        run.release();
      }
    }
  }
}
