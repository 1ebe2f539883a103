package org.sparkamm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkamm.Amm;
import org.sparkamm.algo.SketchSizing;

/**
 * {@code --sketch auto --target-error eps} on generated data (LibAMM's {@code random} loader, through
 * the command line's own {@link Problem}) achieves the target for a sampling method ({@code crs}), a
 * hashing sketch ({@code countSketch}) and a dense sketch ({@code gaussian}).
 *
 * <p>What the chooser promises: the expected squared error at the chosen l is at most eps^2 P-, P- the
 * pilot's lower estimate of ||AB||_F^2 (at most ||AB||_F^2 unless the pilot overestimates by more than
 * two of its standard errors). A single trial may land above eps (on this nearly rank-one product the
 * squared error spreads like a chi-square with few degrees of freedom, relative sd about 1.4); the
 * mean of the squared relative errors over T = 300 seeds (each choosing its own l, as a user's run
 * would) must be at most eps^2 plus 4 standard errors of that mean (estimated from the same trials; by
 * the central limit theorem a false failure has probability below 1e-4). The same mean must match
 * the closed form at the chosen sizes with the exact ||AB||_F (the mean of E||AB - C_l||^2 / ||AB||^2
 * over the seeds) within 4 standard errors: a sketch of half the size doubles the mean and fails.
 */
class AutoSketchTest {
  private static final double EPS = 0.1;
  private static final int SEEDS = 300;

  private static Problem load() {
    String[] argv = {"--loader", "random", "--set", "aRow=30", "--set", "aCol=2000", "--set", "bCol=25", "--engine",
        "local"};
    Args args = new Args("multiply", argv, 0, Problem.VALUE_OPTIONS, Problem.FLAG_OPTIONS);
    return Problem.load("multiply", args, RunConfig.of("multiply", args));
  }

  @Test
  void theChosenSketchMeetsTheTargetErrorOnGeneratedData() {
    try (Problem problem = load()) {
      Problem.Run exact = problem.run(Amm.create("mm"), 1);
      double norm2 = problem.productNormSquared(exact);
      org.sparkamm.algo.InnerNorms norms = problem.norms();
      for (String tag : List.of("countSketch", "crs", "gaussian")) {
        double sum = 0;
        double sumSq = 0;
        double theory = 0;
        for (int s = 0; s < SEEDS; s++) {
          Amm amm = Amm.create(tag).setSeed(100 + s);
          SketchSizing.Choice choice = problem.sketchSizeFor(amm, EPS);
          assertTrue(choice.predictedError <= EPS && choice.sketchSize < problem.n, tag + ": " + choice);
          Problem.Run run = problem.run(amm, choice.sketchSize);
          double e2 = Math.pow(problem.error(exact, run), 2);
          sum += e2;
          sumSq += e2 * e2;
          theory += amm.algorithm().expectedSquaredError(norms, norm2, choice.sketchSize, 100 + s) / norm2 / SEEDS;
        }
        double mean = sum / SEEDS;
        double se = Math.sqrt(Math.max(0, sumSq / SEEDS - mean * mean) / (SEEDS - 1));
        String what = String.format("%s: root mean square error %.4f over %d seeds (target %.2f, 4 standard errors of"
            + " the mean square %.2e)", tag, Math.sqrt(mean), SEEDS, EPS, 4 * se);
        assertTrue(mean <= EPS * EPS + 4 * se, what);
        assertEquals(theory, mean, 4 * se, what + ": the closed form at the chosen sizes");
      }
    }
  }
}
