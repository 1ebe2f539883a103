package org.sparkamm.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparkamm.Amm;

/**
 * LibAMM's sketch-size scan ({@code benchmark/scripts/scanSketchSize}): A and B 2,500 x 2,500 from
 * its {@code random} loader (entries U[0, 1)), sketch sizes 10, 25, 50, 100, 250, 500, 1,250, every
 * algorithm against the exact product. Reports the relative Frobenius error beside each method's
 * theory (sqrt(E||AB - C||_F^2) / ||AB||_F where a closed form exists), for the deterministic
 * co-occurring directions the spectral error ||AB - C||_2 / ||AB||_2 beside their guarantee, and
 * the time with its speed-up over exact. The plot: error against sketch size, log-log, one line per
 * algorithm, theory dashed. {@code --size N} or {@code --size M,N,P} (A M x N, B N x P) changes the
 * size; default engine Spark, 1 trial.
 */
final class ScanExperiment implements Experiment {
  private static final long[] SIZE = {2500, 2500, 2500};

  @Override
  public String name() {
    return "scan";
  }

  @Override
  public String summary() {
    return "LibAMM's sketch-size scan: A, B 2,500 x 2,500 (random), l = 10..1,250, vs exact and theory";
  }

  @Override
  public List<String> defaultEngines() {
    return List.of("spark");
  }

  @Override
  public int defaultTrials() {
    return 1;
  }

  @Override
  public int[] defaultSketches() {
    return new int[] {10, 25, 50, 100, 250, 500, 1250};
  }

  @Override
  public Report run(ExperimentContext ctx) {
    long[] size = ctx.size(SIZE, "N (A, B N x N) or M,N,P (A M x N, B N x P)", 1, 3);
    long m = size[0];
    long n = size.length == 3 ? size[1] : size[0];
    long p = size.length == 3 ? size[2] : size[0];
    List<String> inputs = List.of("--loader", "random", "--set", "aRow=" + m, "--set", "aCol=" + n, "--set",
        "bCol=" + p);
    List<String> rows = new ArrayList<>();
    StringBuilder md = new StringBuilder();
    LogLogPlot plot = new LogLogPlot(String.format(Locale.ROOT, "Sketch-size scan: A %d x %d times B %d x %d (random"
        + " loader), %s", m, n, n, p, String.join(" and ", ctx.engines)), "sketch size l", "relative error");
    int color = 0;
    for (String engine : ctx.engines) {
      ExperimentContext.Measured run = ctx.measure(engine, inputs, false);
      run.trials.forEach(t -> rows.add(t.csv()));
      List<TrialSummary> summaries = TrialSummary.of(run.trials);
      md.append(tables(ctx, run, summaries));
      color = addLines(plot, ctx, summaries, ctx.engines.size() > 1 ? " (" + engine + ")" : "", color);
    }
    plot.note("solid: ||AB - C||_F / ||AB||_F (mean of " + ctx.trials + " trial" + (ctx.trials > 1 ? "s)" : ")"))
        .note("dashed: theory, sqrt(E||AB - C||_F^2) / ||AB||_F,")
        .note("  or the bound on ||AB - C||_2 / ||AB||_2")
        .note("dotted: ||AB - C||_2 / ||AB||_2 (where bounded)");
    return new Report(Trial.CSV_HEADER, rows, md.toString(), plot);
  }

  /** The engine's three tables: error beside theory, spectral error beside its bound, time. */
  private static String tables(ExperimentContext ctx, ExperimentContext.Measured run, List<TrialSummary> summaries) {
    Map<String, Map<Integer, TrialSummary>> byTag = new LinkedHashMap<>();
    long exactMillis = run.referenceMillis;
    for (TrialSummary s : summaries) {
      if (s.tag.equals(Trials.REFERENCE)) {
        exactMillis = s.succeeded() ? s.medianMillis : exactMillis;
      } else {
        byTag.computeIfAbsent(s.tag, t -> new LinkedHashMap<>()).put(s.sketch, s);
      }
    }
    String[] header = new String[ctx.sketches.length + 1];
    header[0] = "algorithm";
    for (int i = 0; i < ctx.sketches.length; i++) {
      header[i + 1] = String.format(Locale.ROOT, "l = %,d", ctx.sketches[i]);
    }
    MarkdownTable errors = new MarkdownTable(header);
    MarkdownTable spectral = new MarkdownTable(header);
    MarkdownTable times = new MarkdownTable(header);
    Cells.Notes notes = new Cells.Notes();
    boolean anyBound = false;
    boolean anyOnce = false;
    for (Map.Entry<String, Map<Integer, TrialSummary>> e : byTag.entrySet()) {
      String[] err = new String[header.length];
      String[] spec = new String[header.length];
      String[] time = new String[header.length];
      boolean once = once(e.getKey());
      anyOnce |= once;
      err[0] = spec[0] = time[0] = "`" + e.getKey() + "`" + (once ? " (any l)" : "");
      boolean bound = false;
      for (int i = 0; i < ctx.sketches.length; i++) {
        TrialSummary s = e.getValue().get(ctx.sketches[once ? 0 : i]);
        String mark = s == null ? "" : notes.mark(s);
        if (s == null || !s.succeeded()) {
          err[i + 1] = spec[i + 1] = time[i + 1] = s == null ? "–" : "failed" + mark;
          continue;
        }
        err[i + 1] = Cells.error(s.meanError) + (Double.isNaN(s.meanExpected) ? "" : " (" + Cells.error(s.meanExpected)
            + ")") + mark;
        bound |= !Double.isNaN(s.meanSpectralBound);
        spec[i + 1] = Cells.error(s.meanSpectralError) + " ≤ " + Cells.error(s.meanSpectralBound) + mark;
        time[i + 1] = Cells.millis(s.medianMillis) + " (" + Cells.ratio(exactMillis / (double) Math.max(1,
            s.medianMillis)) + ")" + mark;
      }
      errors.row(err);
      times.row(time);
      if (bound) {
        spectral.row(spec);
        anyBound = true;
      }
    }
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "## %s engine: %s%n%n", run.engine.equals("spark") ? "Spark" : "Local",
        run.shape));
    md.append(String.format(Locale.ROOT, "Exact product: %s ms (its first run: %s ms); fastest read of both inputs: %s ms."
        + " %d trial%s per setting (seed%s %d%s); errors are means over the trials, times medians.%n%n",
        Cells.millis(exactMillis), Cells.millis(run.referenceMillis), Cells.millis(Math.round(run.readMillis)), ctx.trials,
        ctx.trials > 1 ? "s" : "", ctx.trials > 1 ? "s" : "", run.seed,
        ctx.trials > 1 ? "–" + (run.seed + ctx.trials - 1) : ""));
    md.append("### Relative error ‖AB − C‖_F / ‖AB‖_F (in parentheses: the theory, √E‖AB − C‖²_F / ‖AB‖_F)\n\n");
    md.append(errors).append('\n');
    if (anyBound) {
      md.append("### Spectral error ‖AB − C‖₂ / ‖AB‖₂ ≤ the deterministic bound / ‖AB‖₂\n\n").append(spectral)
          .append('\n');
    }
    md.append("### Median time, ms (speed-up over the exact product)\n\n").append(times);
    if (anyOnce) {
      md.append(String.format(Locale.ROOT, "%n(any l): the method does not read the sketch size (an exact mode, block"
          + " low-rank approximation, scalar quantization): measured once, at l = %,d.%n", ctx.sketches[0]));
    }
    return md.append(notes).append('\n').toString();
  }

  /** True for a method measured once, at the first sketch size (it does not read it): a flat line. */
  private static boolean once(String tag) {
    return !ExperimentContext.readsSketchSize(Amm.create(tag).algorithm());
  }

  /** One solid line per algorithm, its theory dashed and its spectral error dotted in the same color. */
  private static int addLines(LogLogPlot plot, ExperimentContext ctx, List<TrialSummary> summaries, String suffix,
      int color) {
    Map<String, List<TrialSummary>> byTag = new LinkedHashMap<>();
    for (TrialSummary s : summaries) {
      if (!s.tag.equals(Trials.REFERENCE)) {
        byTag.computeIfAbsent(s.tag, t -> new ArrayList<>()).add(s);
      }
    }
    for (Map.Entry<String, List<TrialSummary>> e : byTag.entrySet()) {
      List<TrialSummary> list = e.getValue();
      boolean once = once(e.getKey());
      int points = once ? ctx.sketches.length : list.size();
      double[] x = new double[points];
      double[] err = new double[points];
      double[] theory = new double[points];
      double[] spectral = new double[points];
      for (int i = 0; i < points; i++) {
        TrialSummary s = list.get(once ? 0 : i);
        x[i] = once ? ctx.sketches[i] : s.sketch;
        err[i] = s.meanError;
        theory[i] = Double.isNaN(s.meanExpected) ? s.meanSpectralBound : s.meanExpected;
        spectral[i] = s.meanSpectralError;
      }
      plot.add(e.getKey() + suffix, color, LogLogPlot.Style.SOLID, x, err, null);
      plot.add(null, color, LogLogPlot.Style.DASHED, x, theory, null);
      plot.add(null, color, LogLogPlot.Style.DOTTED, x, spectral, null);
      color++;
    }
    return color;
  }
}
