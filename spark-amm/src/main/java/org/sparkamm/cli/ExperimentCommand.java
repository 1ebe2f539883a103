package org.sparkamm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.io.AtomicFile;

/**
 * {@code spark-amm experiment NAME [options]}: one of LibAMM's comparisons, reproducible by anyone.
 * Writes three files into {@code --out DIR} (default {@code bench/results}, created if missing),
 * named {@code NAME-ENGINES}: a CSV (a header comment with the command, the machine and the
 * versions; then one row per algorithm x setting x trial), a Markdown file (the tables, a link to
 * the plot) and a PNG plot; then prints one JSON line naming them. Each file is written whole or
 * not at all; a plot that cannot be drawn (no usable fonts, say) is reported and leaves the other
 * two. A failed trial is recorded with its message and the experiment goes on (exit status 0).
 */
final class ExperimentCommand {
  /** The experiments; a new one is one class added here. */
  static final List<Experiment> EXPERIMENTS = List.of(new ScanExperiment(), new SpeedExperiment(),
      new PcaExperiment(), new CcaExperiment());
  static final String DEFAULT_OUT = "bench/results";

  private ExperimentCommand() {}

  /** The help text's lines on the experiments: name, summary and defaults. */
  static String help() {
    List<String> lines = new ArrayList<>();
    for (Experiment e : EXPERIMENTS) {
      lines.add(String.format("             %-6s %s", e.name(), e.summary()));
      lines.add(String.format("                    (defaults: --engine %s --trials %d --sketch %s)",
          String.join(",", e.defaultEngines()), e.defaultTrials(), java.util.Arrays.stream(e.defaultSketches())
              .mapToObj(Integer::toString).collect(Collectors.joining(","))));
    }
    return String.join("\n", lines);
  }

  static void run(String[] argv, PrintStream out, PrintStream err) {
    String names = EXPERIMENTS.stream().map(Experiment::name).collect(Collectors.joining(", "));
    AmmArgumentException.require(argv.length >= 2 && !argv[1].startsWith("--"),
        "experiment: name the experiment to run (%s)", names);
    Experiment experiment = EXPERIMENTS.stream().filter(e -> e.name().equals(argv[1])).findFirst()
        .orElseThrow(() -> new AmmArgumentException("experiment: unknown experiment '" + argv[1] + "'; experiments: "
            + names));
    java.util.Set<String> options = new java.util.HashSet<>(ExperimentContext.OPTIONS);
    options.addAll(experiment.options());
    Args args = new Args("experiment " + experiment.name(), argv, 2, options, java.util.Set.of("verbose"));
    AmmArgumentException.require(args.positional().isEmpty(), "experiment %s: unexpected argument '%s'",
        experiment.name(), args.positional().isEmpty() ? "" : args.positional().get(0));
    ExperimentContext ctx = new ExperimentContext(experiment, args, err);
    Path dir = outputDirectory(args.get("out", DEFAULT_OUT));
    String base = experiment.name() + "-" + String.join("-", ctx.engines);
    Experiment.Report report;
    int failed;
    try {
      report = experiment.run(ctx);
    } finally {
      failed = ctx.finish();
    }
    List<String> header = new ArrayList<>();
    header.add("spark-amm experiment " + experiment.name() + ": " + experiment.summary());
    header.add("command: spark-amm " + String.join(" ", argv));
    header.addAll(MachineInfo.describe());
    Path csv = dir.resolve(base + ".csv");
    Path md = dir.resolve(base + ".md");
    Path png = dir.resolve(base + ".png");
    StringBuilder csvText = new StringBuilder();
    header.forEach(line -> csvText.append("# ").append(line).append('\n'));
    csvText.append(report.csvHeader).append('\n');
    report.csvRows.forEach(row -> csvText.append(row).append('\n'));
    write(csv, csvText.toString());
    byte[] plot = draw(report.plot, err);
    StringBuilder mdText = new StringBuilder("# spark-amm experiment ").append(experiment.name()).append("\n\n");
    mdText.append(experiment.summary()).append(".\n\n");
    mdText.append("Reproduce: `bin/spark-amm ").append(String.join(" ", argv)).append("`\n\n");
    mdText.append("Machine: ").append(String.join("; ", header.subList(2, header.size()))).append(".\n\n");
    if (plot != null) {
      mdText.append("![").append(base).append("](").append(png.getFileName()).append(")\n\n");
    }
    mdText.append(report.markdown);
    write(md, mdText.toString());
    if (plot != null) {
      AtomicFile.write(png, os -> os.write(plot));
    }
    out.println(new Json().put("experiment", experiment.name()).put("engines", String.join(",", ctx.engines))
        .put("csv", csv.toString()).put("markdown", md.toString()).put("png", plot == null ? "" : png.toString())
        .put("rows", report.csvRows.size()).put("failed", failed));
  }

  /** The PNG, or null (said on {@code err}) when this JVM cannot draw: no fonts, no AWT libraries. */
  private static byte[] draw(LogLogPlot plot, PrintStream err) {
    try {
      return plot.png();
    } catch (RuntimeException | LinkageError | java.awt.AWTError e) {
      err.println("spark-amm: warning: the plot could not be drawn (" + Main.failureMessage(e)
          + "); CSV and Markdown written");
      return null;
    }
  }

  private static void write(Path file, String text) {
    AtomicFile.write(file, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** {@code --out}: an existing writable directory, or one created now. */
  private static Path outputDirectory(String value) {
    Path dir = Path.of(value).toAbsolutePath().normalize();
    AmmArgumentException.require(!Files.exists(dir) || Files.isDirectory(dir), "--out %s: is not a directory", value);
    try {
      Files.createDirectories(dir);
    } catch (IOException | SecurityException e) {
      throw new AmmArgumentException("--out " + value + ": cannot create the directory (" + e.getMessage() + ")");
    }
    AmmArgumentException.require(Files.isWritable(dir), "--out %s: directory is not writable", value);
    return dir;
  }
}
