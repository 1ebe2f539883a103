package org.sparkamm.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparkamm.Amm;

/**
 * The README's headline, reproducible: A^T B with A and B 100,000 x 1,024 (generated: low rank 10
 * plus unit noise, as {@code bench --gen}), sketch size l = 1,000, every algorithm beside the exact
 * product in one run on Spark and then on the local engine. Each setting gets one cold trial (the
 * algorithm's first run in this JVM; for {@code mm}, the reference product) and then
 * {@code --trials} warm ones (default 3) whose median is the reported time. The table gives both
 * engines' medians, speed-ups over exact (exact's warm median over the algorithm's) and cold times,
 * the error (mean over the warm trials of all engines: same seeds, same sketches), its theory, and
 * Spark's shuffle bytes. The plot: error against speed-up, log-log, one point per algorithm and
 * engine. {@code --size ROWS,COLS} or {@code ROWS,COLS_A,COLS_B} changes the size.
 */
final class SpeedExperiment implements Experiment {
  private static final long[] SIZE = {100_000, 1024, 1024};

  @Override
  public String name() {
    return "speed";
  }

  @Override
  public String summary() {
    return "the README's headline: A^T B, A, B 100,000 x 1,024, l = 1,000, Spark and local";
  }

  @Override
  public List<String> defaultEngines() {
    return List.of("spark", "local");
  }

  @Override
  public int[] defaultSketches() {
    return new int[] {1000};
  }

  @Override
  public Report run(ExperimentContext ctx) {
    long[] size = ctx.size(SIZE, "ROWS,COLS (A, B ROWS x COLS) or ROWS,COLS_A,COLS_B", 2, 3);
    long colsB = size.length == 3 ? size[2] : size[1];
    List<String> inputs = List.of("--gen", size[0] + "," + size[1] + "," + colsB, "--transpose-a");
    List<String> rows = new ArrayList<>();
    List<ExperimentContext.Measured> runs = new ArrayList<>();
    for (String engine : ctx.engines) {
      ExperimentContext.Measured run = ctx.measure(engine, inputs, true);
      run.trials.forEach(t -> rows.add(t.csv()));
      runs.add(run);
    }
    String title = String.format(Locale.ROOT, "A^T B, A %d x %d, B %d x %d: error against speed-up over exact",
        size[0], size[1], size[0], colsB);
    LogLogPlot plot = new LogLogPlot(title, "speed-up over the exact product (exact time / time)",
        "relative error ||AB - C||_F / ||AB||_F");
    plot.vertical(1.0, "exact");
    Cells.Notes notes = new Cells.Notes();
    MarkdownTable table = table(ctx, runs, plot, notes);
    String md = String.format(Locale.ROOT, "## Aᵀ·B, A %,d × %,d and B %,d × %,d (low rank 10 plus unit noise)%n%n"
        + "Medians of %d warm trial%s (seed%s) after one cold trial per algorithm (its first run in this JVM;"
        + " for `mm` the reference product); speed-up: the exact product's median over the algorithm's; errors:"
        + " means over the warm trials of all engines (same seeds, same sketches); theory: √E‖AB − C‖²_F / ‖AB‖_F"
        + " where a closed form exists, else the deterministic spectral bound (≤). Fastest read of both inputs (the floor of a one-pass method): %s.%n%n",
        size[0], size[1], size[0], colsB, ctx.trials, ctx.trials > 1 ? "s" : "", ctx.trials > 1 ? "s "
            + runs.get(0).seed + "–" + (runs.get(0).seed + ctx.trials - 1) : " " + runs.get(0).seed, readTimes(runs));
    return new Report(Trial.CSV_HEADER, rows, md + table + notes + "\n", plot);
  }

  /** One row per algorithm and sketch size; adds each engine's points to the plot. */
  private static MarkdownTable table(ExperimentContext ctx, List<ExperimentContext.Measured> runs, LogLogPlot plot,
      Cells.Notes notes) {
    List<String> header = new ArrayList<>(List.of("algorithm", "l"));
    List<Map<String, TrialSummary>> byEngine = new ArrayList<>();
    List<Long> exact = new ArrayList<>();
    boolean spark = false;
    for (ExperimentContext.Measured run : runs) {
      String name = run.engine.equals("spark") ? "Spark" : "local";
      header.addAll(List.of(name + " (ms)", "speed-up", "cold (ms)"));
      Map<String, TrialSummary> map = new LinkedHashMap<>();
      long exactMillis = run.referenceMillis;
      for (TrialSummary s : TrialSummary.of(run.trials)) {
        map.put(s.tag + "@" + s.sketch, s);
        if (s.tag.equals(Trials.REFERENCE) && s.succeeded()) {
          exactMillis = s.medianMillis;
        }
      }
      byEngine.add(map);
      exact.add(exactMillis);
      spark |= run.engine.equals("spark");
    }
    header.addAll(List.of("rel. error", "theory"));
    if (spark) {
      header.add("shuffle");
    }
    MarkdownTable table = new MarkdownTable(header.toArray(new String[0]));
    for (String key : byEngine.get(0).keySet()) {
      TrialSummary first = byEngine.get(0).get(key);
      List<String> cells = new ArrayList<>(List.of("`" + first.tag + "`", !ExperimentContext.readsSketchSize(Amm.create(first.tag).algorithm()) ? "–"
          : String.format(Locale.ROOT, "%,d", first.sketch)));
      double errorSum = 0;
      int errorCount = 0;
      double theory = Double.NaN;
      boolean bound = false;
      String shuffle = "–";
      String mark = "";
      for (int e = 0; e < runs.size(); e++) {
        TrialSummary s = byEngine.get(e).get(key);
        String engineMark = s == null ? "" : notes.mark(s);
        mark += mark.contains(engineMark) ? "" : engineMark;
        if (s == null || !s.succeeded()) {
          cells.addAll(List.of(s == null ? "–" : "failed" + engineMark, "–", s == null ? "–"
              : Cells.millis(s.coldMillis)));
          continue;
        }
        double speedup = exact.get(e) / (double) Math.max(1, s.medianMillis);
        cells.addAll(List.of(Cells.millis(s.medianMillis), Cells.ratio(speedup), Cells.millis(s.coldMillis)));
        errorSum += s.meanError * s.trials;
        errorCount += s.trials;
        if (Double.isNaN(theory)) {
          theory = Double.isNaN(s.meanExpected) ? s.meanSpectralBound : s.meanExpected;
          bound = Double.isNaN(s.meanExpected) && !Double.isNaN(s.meanSpectralBound);
        }
        if (runs.get(e).engine.equals("spark")) {
          shuffle = Cells.megabytes(s.medianShuffleBytes);
        }
        if (!s.tag.equals(Trials.REFERENCE)) {
          plot.add(null, e, LogLogPlot.Style.MARKERS, new double[] {speedup}, new double[] {s.meanError},
              new String[] {ctx.sketches.length > 1 ? s.tag + " l=" + s.sketch : s.tag});
        }
      }
      cells.add(errorCount == 0 ? "–" : Cells.error(errorSum / errorCount) + mark);
      cells.add((bound ? "≤ " : "") + Cells.error(theory));
      if (spark) {
        cells.add(shuffle);
      }
      table.row(cells.toArray(new String[0]));
    }
    for (int e = 0; e < runs.size(); e++) {
      plot.add(runs.get(e).engine.equals("spark") ? "Spark" : "local", e, LogLogPlot.Style.MARKERS, new double[0],
          new double[0], null);
    }
    return table;
  }

  private static String readTimes(List<ExperimentContext.Measured> runs) {
    List<String> parts = new ArrayList<>();
    for (ExperimentContext.Measured run : runs) {
      parts.add(Cells.millis(Math.round(run.readMillis)) + " ms (" + run.engine + ")");
    }
    return String.join(", ", parts);
  }
}
