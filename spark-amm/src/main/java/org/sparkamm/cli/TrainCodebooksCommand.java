package org.sparkamm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.sparkamm.Amm;
import org.sparkamm.algo.CodebookAlgorithm;
import org.sparkamm.codebook.Codebook;
import org.sparkamm.error.AmmArgumentException;

/**
 * {@code spark-amm train-codebooks}: trains the codebook of {@code pq-raw}, {@code pq-hash},
 * {@code vq} or {@code pq} on training data drawn from the distribution that will later be
 * multiplied (never on the product's own inputs), on Spark (MLlib's k-means) or locally, and writes
 * it to {@code --out} as {@code .npz}, atomically; {@code multiply --set codebookPath=FILE} then uses
 * it. Inputs as for {@code multiply} ({@code --a/--b} files, {@code --gen}, {@code --loader}, the
 * transposes); B's columns train vq's and pq's codewords of B, and pq-raw and pq-hash need no B:
 * without {@code --b}, A's file stands in for it (read, unused). Training keys: {@code C},
 * {@code trainingRows}, {@code lA}, {@code lB}, {@code codewordRatio}; {@code --sketch} (default 50)
 * is pq-raw's C when below 50. Prints one JSON line: the codebook's shape, the sample's size, the
 * seed and the training time.
 */
final class TrainCodebooksCommand {
  private static final int DEFAULT_SKETCH = 50;

  private TrainCodebooksCommand() {}

  static void run(String[] argv, PrintStream out, PrintStream err) {
    Set<String> options = new HashSet<>(Problem.VALUE_OPTIONS);
    options.addAll(Set.of("algo", "sketch", "out"));
    Args args = new Args("train-codebooks", argv, 1, options, Problem.FLAG_OPTIONS);
    RunConfig conf = RunConfig.of("train-codebooks", args);
    Amm amm = conf.configure(Amm.create(conf.algo()));
    AmmArgumentException.require(amm.algorithm().needsTraining(),
        "train-codebooks: %s has no codebook to train (pq-raw, pq-hash, vq, pq have)", amm.tag());
    Path outPath = OutputFile.check("out", args.required("train-codebooks", "out"));
    int k = conf.sketchOr(DEFAULT_SKETCH);
    AmmArgumentException.require(k >= 1, "sketch size must be at least 1, got %d", k);
    if (args.get("a") != null && args.get("b") == null) {
      AmmArgumentException.require(!((CodebookAlgorithm) amm.algorithm()).trainingSpec(k, amm.seed()).twoSided(),
          "train-codebooks: %s trains codewords of B's columns too: give --b", amm.tag());
      args = new Args("train-codebooks", withAAsB(argv, args), 1, options, Problem.FLAG_OPTIONS);
    }
    try (Problem problem = Problem.load("train-codebooks", args, conf)) {
      conf.reportUnread(err);
      long t0 = System.nanoTime();
      Codebook cb = problem.train(amm, k);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      cb.save(outPath);
      Json json = new Json().put("algo", amm.tag()).put("subspaces", cb.subspaces().count())
          .put("inner", cb.subspaces().inner()).put("codewordsA", cb.codewordsA()).put("codewordsB", cb.codewordsB())
          .put("hashed", cb.hashed()).put("trainingRows", cb.trainingRows()).put("trainingColumns", cb.trainingColumns())
          .put("seed", cb.seed()).put("engine", problem.onSpark ? "spark" : "local").put("millis", millis)
          .put("out", outPath.toString());
      out.println(json);
    }
  }

  /**
   * The arguments with A's file also given as B, transposed so that the inner dimensions agree
   * (pq-raw and pq-hash read no B; vq and pq refuse to train without one).
   */
  private static String[] withAAsB(String[] argv, Args args) {
    List<String> full = new ArrayList<>(List.of(argv));
    full.addAll(List.of("--b", args.get("a")));
    if (args.get("key-a") != null) {
      full.addAll(List.of("--key-b", args.get("key-a")));
    }
    full.remove("--transpose-b");
    if (!args.flag("transpose-a")) {
      full.add("--transpose-b");
    }
    return full.toArray(new String[0]);
  }
}
