package org.sparkamm.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparkamm.Amm;

/**
 * The fits of a downstream experiment ({@code pca}, {@code cca}) on one data set: one {@link Fit}
 * per algorithm x sketch size x trial, each with its named error metrics and its fit time, or the
 * one-line message it failed with. Summarized as the experiments report them: medians over the
 * successful trials of a setting, as Markdown tables (algorithms by sketch size) and plot lines.
 * A method that does not read the sketch size ({@link ExperimentContext#readsSketchSize}) is fitted
 * at the first sketch size only and shown as "(any l)", a flat line in the plot.
 */
final class Fits {
  /** One estimator fit; metrics NaN and millis -1 when it failed. */
  static final class Fit {
    final String tag;
    final int sketch;
    final int trial;
    final long seed;
    final long millis;
    final Map<String, Double> metrics;
    /** The one-line message of a failed fit; null when it succeeded. */
    final String failure;
    /** The fitted canonical correlations (CCA), or null. */
    final double[] correlations;

    Fit(String tag, int sketch, int trial, long seed, long millis, Map<String, Double> metrics, String failure) {
      this(tag, sketch, trial, seed, millis, metrics, failure, null);
    }

    Fit(String tag, int sketch, int trial, long seed, long millis, Map<String, Double> metrics, String failure,
        double[] correlations) {
      this.correlations = correlations;
      this.tag = tag;
      this.sketch = sketch;
      this.trial = trial;
      this.seed = seed;
      this.millis = millis;
      this.metrics = metrics;
      this.failure = failure;
    }

    double metric(String name) {
      return failure != null ? Double.NaN : metrics.getOrDefault(name, Double.NaN);
    }

    /** The progress line's view of this fit: its time and {@code metric} as the error. */
    Trial asTrial(String metric) {
      return failure == null ? Trial.success("spark", tag, sketch, trial, seed, false, metric(metric), Double.NaN,
          Double.NaN, Double.NaN, millis, org.sparkamm.algo.Breakdown.zero())
          : Trial.failure("spark", tag, sketch, trial, seed, false,
              new org.sparkamm.error.AmmArgumentException(failure));
    }
  }

  final List<Fit> all = new ArrayList<>();
  private final int[] sketches;

  Fits(int[] sketches) {
    this.sketches = sketches.clone();
  }

  /** True when {@code tag}'s result depends on the sketch size. */
  static boolean readsSketch(String tag) {
    return ExperimentContext.readsSketchSize(Amm.create(tag).algorithm());
  }

  /** Fits per trial for {@code tags}: the number of sketch sizes each is fitted at ({@link #sketchesOf}), summed. */
  int settings(java.util.List<String> tags) {
    int n = 0;
    for (String tag : tags) {
      n += sketchesOf(tag).length;
    }
    return n;
  }

  /** The sketch sizes {@code tag} is fitted at. */
  int[] sketchesOf(String tag) {
    return readsSketch(tag) ? sketches.clone() : new int[] {sketches[0]};
  }

  /** The median of {@code metric} over the successful fits of (tag, sketch); NaN when none succeeded. */
  double median(String tag, int sketch, String metric) {
    return median(setting(tag, sketch).stream().filter(f -> f.failure == null).mapToDouble(f -> f.metric(metric))
        .toArray());
  }

  /** The median fit time of (tag, sketch), or -1 when none succeeded. */
  long medianMillis(String tag, int sketch) {
    double m = median(setting(tag, sketch).stream().filter(f -> f.failure == null).mapToDouble(f -> f.millis)
        .toArray());
    return Double.isNaN(m) ? -1 : Math.round(m);
  }

  /** "seed S" for one trial, "seeds S–E" for more (trial t uses S + t). */
  static String seeds(long seed, int trials) {
    return trials == 1 ? "seed " + seed : "seeds " + seed + "–" + (seed + trials - 1);
  }

  /** The median of the values; NaN for none. */
  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : 0.5 * (v[v.length / 2 - 1] + v[v.length / 2]);
  }

  private List<Fit> setting(String tag, int sketch) {
    List<Fit> out = new ArrayList<>();
    for (Fit f : all) {
      if (f.tag.equals(tag) && f.sketch == sketch) {
        out.add(f);
      }
    }
    return out;
  }

  private String failure(String tag, int sketch) {
    return setting(tag, sketch).stream().filter(f -> f.failure != null).map(f -> f.failure).findFirst().orElse(null);
  }

  private Map<String, int[]> settings() {
    Map<String, int[]> tags = new LinkedHashMap<>();
    for (Fit f : all) {
      tags.putIfAbsent(f.tag, sketchesOf(f.tag));
    }
    return tags;
  }

  /** A header row: "algorithm", then "l = ..." for each sketch size, then {@code extra} columns. */
  String[] header(String... extra) {
    String[] h = new String[1 + sketches.length + extra.length];
    h[0] = "algorithm";
    for (int i = 0; i < sketches.length; i++) {
      h[i + 1] = String.format(Locale.ROOT, "l = %,d", sketches[i]);
    }
    System.arraycopy(extra, 0, h, 1 + sketches.length, extra.length);
    return h;
  }

  /**
   * Algorithms by sketch size: the median of {@code metric}, " [n]" where a trial failed (its
   * message in {@code notes}), "failed [n]" where all did; {@code extra} adds columns per algorithm.
   */
  MarkdownTable table(String metric, Cells.Notes notes, java.util.function.Function<String, String[]> extra,
      String... extraHeader) {
    MarkdownTable t = new MarkdownTable(header(extraHeader));
    for (Map.Entry<String, int[]> e : settings().entrySet()) {
      String tag = e.getKey();
      boolean once = e.getValue().length == 1 && sketches.length > 1;
      String[] row = new String[1 + sketches.length + extraHeader.length];
      row[0] = "`" + tag + "`" + (once ? " (any l)" : "");
      for (int i = 0; i < sketches.length; i++) {
        int l = once ? sketches[0] : sketches[i];
        double m = median(tag, l, metric);
        String mark = notes.mark(failure(tag, l));
        row[i + 1] = Double.isNaN(m) && !mark.isEmpty() ? "failed" + mark : Cells.error(m) + mark;
      }
      String[] more = extra == null ? new String[0] : extra.apply(tag);
      System.arraycopy(more, 0, row, 1 + sketches.length, extraHeader.length);
      t.row(row);
    }
    return t;
  }

  /** Algorithms by sketch size: median fit time in ms and, in parentheses, {@code exactMillis} / it. */
  MarkdownTable times(long exactMillis, Cells.Notes notes) {
    MarkdownTable t = new MarkdownTable(header());
    for (Map.Entry<String, int[]> e : settings().entrySet()) {
      String tag = e.getKey();
      boolean once = e.getValue().length == 1 && sketches.length > 1;
      String[] row = new String[1 + sketches.length];
      row[0] = "`" + tag + "`" + (once ? " (any l)" : "");
      for (int i = 0; i < sketches.length; i++) {
        int l = once ? sketches[0] : sketches[i];
        long ms = medianMillis(tag, l);
        String mark = notes.mark(failure(tag, l));
        row[i + 1] = ms < 0 ? "failed" + mark : Cells.millis(ms) + " (" + Cells.ratio(exactMillis / (double) Math.max(1,
            ms)) + ")" + mark;
      }
      t.row(row);
    }
    return t;
  }

  /**
   * One line per algorithm of the median of {@code metric} against the sketch size, in the color
   * {@code colors} gives the tag (assigned in order of first use); named in the legend when
   * {@code suffix} is not null. Exact methods (at rounding level, which would stretch the axis over
   * ten decades) and methods with no successful fit are left out: the tables have them.
   */
  void plot(LogLogPlot plot, String metric, LogLogPlot.Style style, List<String> colors, String suffix) {
    for (Map.Entry<String, int[]> e : settings().entrySet()) {
      String tag = e.getKey();
      if (Amm.create(tag).algorithm().isExact() || all.stream().noneMatch(f -> f.tag.equals(tag) && f.failure == null)) {
        continue; // the exact methods sit at rounding (in the tables); failed ones have no line
      }
      boolean once = e.getValue().length == 1;
      double[] x = new double[sketches.length];
      double[] y = new double[sketches.length];
      for (int i = 0; i < sketches.length; i++) {
        x[i] = sketches[i];
        y[i] = median(tag, once ? sketches[0] : sketches[i], metric);
      }
      if (!colors.contains(tag)) {
        colors.add(tag);
      }
      plot.add(suffix == null ? null : tag + suffix, colors.indexOf(tag), style, x, y, null);
    }
  }
}
