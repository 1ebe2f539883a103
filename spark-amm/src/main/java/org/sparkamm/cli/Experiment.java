package org.sparkamm.cli;

import java.util.List;

/**
 * One named experiment of {@code spark-amm experiment NAME}: its inputs, its settings and what it
 * reports. A new experiment is one class implementing this, listed in
 * {@link ExperimentCommand#EXPERIMENTS}; {@link ExperimentContext} supplies the options, the trial
 * loop and the progress line, {@link ExperimentCommand} writes the files.
 */
interface Experiment {
  /** The name on the command line. */
  String name();

  /** One line for the help text: what it compares, at what size. */
  String summary();

  /** The engines when {@code --engine} is absent (Spark unless an experiment says otherwise). */
  default List<String> defaultEngines() {
    return List.of("spark");
  }

  /** Trials per setting when {@code --trials} is absent. */
  default int defaultTrials() {
    return 3;
  }

  /** Sketch sizes when {@code --sketch} is absent. */
  int[] defaultSketches();

  /** Options of this experiment beyond {@link ExperimentContext#OPTIONS} (none by default). */
  default java.util.Set<String> options() {
    return java.util.Set.of();
  }

  /** Runs the experiment; its outputs are written only when it returns. */
  Report run(ExperimentContext ctx);

  /** What an experiment writes: CSV rows under their header, a Markdown section, a plot. */
  final class Report {
    final String csvHeader;
    final List<String> csvRows;
    final String markdown;
    final LogLogPlot plot;

    Report(String csvHeader, List<String> csvRows, String markdown, LogLogPlot plot) {
      this.csvHeader = csvHeader;
      this.csvRows = csvRows;
      this.markdown = markdown;
      this.plot = plot;
    }
  }
}
