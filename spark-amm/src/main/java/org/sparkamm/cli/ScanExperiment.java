package org.sparkamm.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparkamm.Amm;
import org.sparkamm.algo.SketchSizing;

/**
 * LibAMM's sketch-size scan ({@code benchmark/scripts/scanSketchSize}): A and B 2,500 x 2,500 from
 * its {@code random} loader (entries U[0, 1)), sketch sizes 10, 25, 50, 100, 250, 500, 1,250, every
 * algorithm against the exact product. Reports the relative Frobenius error beside each method's
 * theory (sqrt(E||AB - C||_F^2) / ||AB||_F where a closed form exists), for the deterministic
 * co-occurring directions the spectral error ||AB - C||_2 / ||AB||_2 beside their guarantee, and
 * the time with its speed-up over exact. The codebook methods train on the loader's training draw
 * (an independent draw of the same distribution), not on the multiplied matrices.
 *
 * <p><b>Predicted against achieved.</b> For every method with a closed form, the error that
 * {@code --sketch auto} predicts at each sketch size ({@link SketchSizing#predict}: the closed form
 * against the pilot's estimate P of ||AB||_F^2, the pilot drawn once per engine at the first trial's
 * seed) with the pilot's interval (the closed form at P+ and P-, the pilot's two standard errors),
 * beside the achieved median and the trial-to-trial spread [min, max]. The prediction <i>holds</i>
 * when the two intervals meet: the prediction is sqrt(E err^2), so a single trial lands on either
 * side of it, and the pilot's estimate has its own spread (relative standard deviation up to 0.25 on
 * ||AB||_F^2, reached by nearly rank-one products such as this loader's). With T trials and the
 * pilot's interval empty, the spread misses the root mean square with probability
 * F^T + (1 - F)^T (F its quantile: 1/8 for F = 1/2 and T = 3). For the methods with a deterministic
 * spectral bound it holds when every trial's ||AB - C||_2 / ||AB||_2 is at most the bound.
 *
 * <p>The plot: error against sketch size, log-log, one line per algorithm, the prediction dashed
 * (the spectral bound for the bounded methods), the spectral error dotted. {@code --size N} or
 * {@code --size M,N,P} (A M x N, B N x P) changes the size; default engine Spark, 3 trials.
 */
final class ScanExperiment implements Experiment {
  /** {@link Trial#CSV_HEADER} with the columns of {@link Check} before the message, which stays last. */
  static final String CSV_HEADER = Trial.CSV_HEADER.replace(",message", Check.CSV_COLUMNS + ",message");
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
    int[] held = new int[2]; // settings where the prediction holds, settings with a prediction
    StringBuilder md = new StringBuilder();
    LogLogPlot plot = new LogLogPlot(String.format(Locale.ROOT, "Sketch-size scan: A %d x %d times B %d x %d (random"
        + " loader), %s", m, n, n, p, String.join(" and ", ctx.engines)), "sketch size l", "relative error");
    int color = 0;
    for (String engine : ctx.engines) {
      ExperimentContext.Measured run = ctx.measure(engine, inputs, false, true);
      List<Check> checks = Check.of(run);
      for (Check c : checks) {
        for (Trial t : c.trials) {
          String[] fields = t.csv().split(",", Trial.CSV_HEADER.split(",").length); // the message last
          String message = fields[fields.length - 1];
          String before = t.csv().substring(0, t.csv().length() - message.length() - 1);
          rows.add(before + c.csv() + "," + message);
        }
        held[0] += Boolean.TRUE.equals(c.holds) ? 1 : 0;
        held[1] += c.holds != null ? 1 : 0;
      }
      List<TrialSummary> summaries = TrialSummary.of(run.trials);
      md.append(tables(ctx, run, summaries)).append(predictions(ctx, checks));
      color = addLines(plot, ctx, summaries, checks, ctx.engines.size() > 1 ? " (" + engine + ")" : "", color);
    }
    ctx.err.printf(Locale.ROOT, "[scan] the prediction holds in %d of %d settings with a formula or bound%n", held[0],
        held[1]);
    plot.note("solid: ||AB - C||_F / ||AB||_F (mean of " + ctx.trials + " trial" + (ctx.trials > 1 ? "s)" : ")"))
        .note("dashed: --sketch auto's prediction (closed")
        .note("  form, pilot's estimate of ||AB||_F),")
        .note("  or the bound on ||AB - C||_2 / ||AB||_2")
        .note("dotted: ||AB - C||_2 / ||AB||_2 (where bounded)");
    return new Report(CSV_HEADER, rows, md.toString(), plot);
  }

  /**
   * Predicted against achieved for one setting (engine, algorithm, sketch size): the prediction of
   * {@code --sketch auto} (means over the trials; the interval's ends the extremes) or the spectral
   * bound, the achieved median and [min, max] of the warm trials that succeeded, and whether the
   * prediction holds (see the class comment); null where the method has neither.
   */
  static final class Check {
    static final String CSV_COLUMNS = ",predicted_error,predicted_low,predicted_high,median_error,min_error,"
        + "max_error,prediction_holds";
    final String tag;
    final int sketch;
    /** The setting's trials, cold and failed ones included, in the order they ran. */
    final List<Trial> trials;
    final double predicted;
    final double low;
    final double high;
    final double median;
    final double min;
    final double max;
    /** The largest spectral error and the bound (NaN where there is none). */
    final double spectralMax;
    final double spectralBound;
    final Boolean holds;

    private Check(List<Trial> trials, List<SketchSizing.Prediction> predictions) {
      this.trials = trials;
      this.tag = trials.get(0).tag;
      this.sketch = trials.get(0).sketch;
      List<Double> errors = new ArrayList<>();
      double sum = 0;
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      int predicted = 0;
      double spectral = Double.NEGATIVE_INFINITY;
      double bound = Double.NaN;
      for (int i = 0; i < trials.size(); i++) {
        Trial t = trials.get(i);
        if (t.cold || t.failed()) {
          continue;
        }
        errors.add(t.error);
        spectral = Math.max(spectral, t.spectralError);
        bound = Double.isNaN(bound) ? t.spectralBound : Math.min(bound, t.spectralBound);
        SketchSizing.Prediction p = predictions.get(i);
        if (p != null) {
          sum += p.error;
          lo = Math.min(lo, p.low);
          hi = Math.max(hi, p.high);
          predicted++;
        }
      }
      java.util.Collections.sort(errors);
      int n = errors.size();
      this.median = n == 0 ? Double.NaN : 0.5 * (errors.get((n - 1) / 2) + errors.get(n / 2));
      this.min = n == 0 ? Double.NaN : errors.get(0);
      this.max = n == 0 ? Double.NaN : errors.get(n - 1);
      boolean complete = n > 0 && predicted == n;
      this.predicted = complete ? sum / n : Double.NaN;
      this.low = complete ? lo : Double.NaN;
      this.high = complete ? hi : Double.NaN;
      this.spectralBound = n > 0 ? bound : Double.NaN;
      this.spectralMax = n > 0 && Double.isFinite(bound) ? spectral : Double.NaN;
      this.holds = complete ? (Boolean) (low <= max && high >= min)
          : Double.isFinite(spectralBound) && !Double.isNaN(spectralMax) ? (Boolean) (spectralMax <= spectralBound)
          : null;
    }

    /** One check per setting of the run, in order (a setting: consecutive trials of one algorithm and size). */
    static List<Check> of(ExperimentContext.Measured run) {
      List<Check> out = new ArrayList<>();
      int from = 0;
      for (int i = 1; i <= run.trials.size(); i++) {
        if (i == run.trials.size() || !run.trials.get(i).tag.equals(run.trials.get(from).tag)
            || run.trials.get(i).sketch != run.trials.get(from).sketch) {
          out.add(new Check(run.trials.subList(from, i), run.predictions.subList(from, i)));
          from = i;
        }
      }
      return out;
    }

    /** The columns of {@link #CSV_COLUMNS}, each with its leading comma (NaN and an empty field where none). */
    String csv() {
      return String.format(Locale.ROOT, ",%.12e,%.12e,%.12e,%.12e,%.12e,%.12e,%s", predicted, low, high, median, min,
          max, holds == null ? "" : holds ? "1" : "0");
    }

    /** The Markdown cell: prediction (interval) against median [min, max], and a check mark. */
    String cell() {
      String mark = holds == null ? "" : holds ? " ✓" : " ✗";
      if (!Double.isNaN(predicted)) {
        return String.format(Locale.ROOT, "%s (%s–%s) vs %s [%s–%s]%s", Cells.error(predicted), Cells.error(low),
            Cells.error(high), Cells.error(median), Cells.error(min), Cells.error(max), mark);
      }
      if (holds != null) {
        return String.format(Locale.ROOT, "‖·‖₂ %s ≤ %s%s", Cells.error(spectralMax), Cells.error(spectralBound), mark);
      }
      return "";
    }
  }

  /** The engine's predicted-against-achieved table: the methods with a closed form or a bound. */
  private static String predictions(ExperimentContext ctx, List<Check> checks) {
    String[] header = new String[ctx.sketches.length + 1];
    header[0] = "algorithm";
    for (int i = 0; i < ctx.sketches.length; i++) {
      header[i + 1] = String.format(Locale.ROOT, "l = %,d", ctx.sketches[i]);
    }
    Map<String, Map<Integer, Check>> byTag = new LinkedHashMap<>();
    int held = 0;
    int total = 0;
    for (Check c : checks) {
      if (c.holds != null && !c.tag.equals(Trials.REFERENCE)) {
        byTag.computeIfAbsent(c.tag, t -> new LinkedHashMap<>()).put(c.sketch, c);
        held += c.holds ? 1 : 0;
        total++;
      }
    }
    if (byTag.isEmpty()) {
      return "";
    }
    MarkdownTable table = new MarkdownTable(header);
    for (Map.Entry<String, Map<Integer, Check>> e : byTag.entrySet()) {
      String[] row = new String[header.length];
      row[0] = "`" + e.getKey() + "`";
      for (int i = 0; i < ctx.sketches.length; i++) {
        Check c = e.getValue().get(ctx.sketches[i]);
        row[i + 1] = c == null ? "–" : c.cell();
      }
      table.row(row);
    }
    return String.format(Locale.ROOT, "%n### Predicted against achieved: what `--sketch auto` predicts (its pilot's"
        + " interval) vs the achieved median [min–max over %d trial%s]%n%n%s%nThe prediction is the closed form"
        + " √E‖AB − C‖²_F / ‖AB‖_F against the pilot's estimate of ‖AB‖_F (32 sign probes, drawn once); the"
        + " interval puts the pilot's ±2 standard errors into it. ✓: the two intervals meet (for a bounded method:"
        + " every trial's spectral error is within its bound). It holds in %d of %d settings.%n", ctx.trials,
        ctx.trials > 1 ? "s" : "", table, held, total);
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
          + " low-rank approximation, scalar quantization, a codebook method, whose codebook is trained once at"
          + " this l): measured once, at l = %,d.%n", ctx.sketches[0]));
    }
    return md.append(notes).append('\n').toString();
  }

  /** True for a method measured once, at the first sketch size (it does not read it): a flat line. */
  private static boolean once(String tag) {
    return !ExperimentContext.readsSketchSize(Amm.create(tag).algorithm());
  }

  /**
   * One solid line per algorithm, its prediction (or spectral bound) dashed and its spectral error
   * dotted in the same color.
   */
  private static int addLines(LogLogPlot plot, ExperimentContext ctx, List<TrialSummary> summaries,
      List<Check> checks, String suffix, int color) {
    Map<String, Double> predicted = new LinkedHashMap<>();
    for (Check c : checks) {
      predicted.put(c.tag + "@" + c.sketch, c.predicted);
    }
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
        double p = predicted.getOrDefault(s.tag + "@" + s.sketch, Double.NaN);
        theory[i] = Double.isNaN(p) ? s.meanSpectralBound : p;
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
