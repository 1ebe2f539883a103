package org.sparkamm.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.sparkamm.Amm;

/**
 * {@code spark-amm demo}: A^T B on generated low-rank-plus-noise data (A and B 100,000 x 512, so the
 * inner dimension is 100,000) on an embedded Spark, every algorithm at two sketch sizes against the
 * exact {@code BlockMatrix.multiply}, printed as a table. Accepts the engine options of the other
 * commands ({@code --engine local}, {@code --master}, ...) and {@code --gen} to change the size.
 * The codebook methods are first trained on other columns of the same generators (the same
 * distribution, not the multiplied data); their training time is printed apart from the table.
 */
final class DemoCommand {
  private DemoCommand() {}

  static void run(String[] argv, PrintStream out, PrintStream err) {
    List<String> full = new ArrayList<>(List.of(argv));
    if (!full.contains("--gen")) {
      full.addAll(List.of("--gen", "100000,512,512"));
    }
    if (!full.contains("--transpose-a")) {
      full.add("--transpose-a");
    }
    Set<String> options = new HashSet<>(Problem.VALUE_OPTIONS);
    Args args = new Args("demo", full.toArray(new String[0]), 1, options, Problem.FLAG_OPTIONS);
    RunConfig conf = RunConfig.of("demo", args);
    List<Amm> algos = new ArrayList<>();
    for (String tag : Amm.tags()) {
      algos.add(conf.configure(Amm.create(tag)));
    }
    BenchCommand.Measurement m;
    try (Problem problem = Problem.load("demo", args, conf)) {
      conf.reportUnread(err);
      out.println("spark-amm demo: C = A^T B, " + problem.shape() + " (low rank plus noise), "
          + (problem.onSpark ? "Spark " + args.get("master", "local[*]") : "local engine"));
      BenchCommand.trainCodebooks(problem, "demo", algos, 256, out, "");
      // One untimed round first, so that the table does not measure class loading and JIT warm-up.
      // A method that fails (one that needs a trained codebook, say) fails again in the table, which reports it.
      for (Amm amm : algos) {
        if (!amm.algorithm().isExact()) {
          try {
            problem.run(amm, 64).release();
          } catch (Exception e) { // Spark's checked exceptions too
            // reported by the measured round
          }
        }
      }
      m = BenchCommand.measure(problem, conf, algos, new int[] {256, 1024}, 1, conf.seed(), true, err);
    }
    for (String line : m.table()) {
      out.println(line);
    }
    out.println("rel_error: ||AB - C||_F / ||AB||_F; expected: the closed-form expectation sqrt(E||AB - C||^2)/||AB||;");
    out.printf(Locale.ROOT, "speedup: exact time / time; x_read: time / the fastest read of both inputs (%.1f ms).%n",
        m.readMillis);
  }
}
