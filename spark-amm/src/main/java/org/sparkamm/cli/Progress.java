package org.sparkamm.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long run on stderr. On a terminal: one line, a bar with the count, the elapsed time
 * and what runs now, redrawn in place with {@code \r} (failures stay above it on lines of their
 * own). Elsewhere (a file, a pipe, a test): one plain line per finished step. Whether stderr is a
 * terminal comes from the launcher ({@code -D}{@value #TERMINAL_PROPERTY}{@code =true}, set by
 * {@code bin/spark-amm} when its stderr is one), since Java 17 cannot tell for stderr alone.
 */
final class Progress {
  static final String TERMINAL_PROPERTY = "sparkamm.stderrTerminal";
  private static final int BAR = 24;
  private static final int WIDTH = 110;

  private final String label;
  private final PrintStream err;
  private final boolean terminal;
  private final int total;
  private final long start = System.nanoTime();
  private int done;
  private int failed;
  private boolean drawn;

  Progress(String label, PrintStream err, int total) {
    this.label = label;
    this.err = err;
    this.terminal = err == System.err && Boolean.getBoolean(TERMINAL_PROPERTY);
    this.total = total;
  }

  /** Says what runs now (terminal only: plain output reports finished steps). */
  void begin(String what) {
    if (terminal) {
      draw(what);
    }
  }

  /** A step finished: {@code result} says how it went; a failure is kept on a line of its own. */
  void end(String what, Trial trial) {
    done++;
    String result = trial.failed() ? "failed: " + trial.failure
        : String.format(Locale.ROOT, "%d ms, error %.4g", trial.millis, trial.error);
    if (trial.failed()) {
      failed++;
    }
    if (!terminal) {
      err.printf("[%s] %d/%d %s: %s%n", label, done, total, what, result);
    } else if (trial.failed()) {
      clear();
      err.printf("[%s] %s: %s%n", label, what, result);
      draw(what);
    } else {
      draw(what);
    }
  }

  /** A line that is not a step (the reference product, a summary), kept above the bar. */
  void note(String line) {
    if (terminal) {
      clear();
    }
    err.printf("[%s] %s%n", label, line);
  }

  /** Ends the bar's line; says how many steps failed. */
  void finish() {
    if (terminal && drawn) {
      err.println();
      drawn = false;
    }
    err.printf("[%s] %d steps in %s%s%n", label, done, elapsed(),
        failed == 0 ? "" : ", " + failed + " failed (recorded with their messages)");
  }

  int failures() {
    return failed;
  }

  private void draw(String what) {
    int filled = total == 0 ? BAR : (int) ((long) BAR * done / total);
    String line = String.format("[%s] [%s%s] %d/%d %s %s", label, "#".repeat(filled), ".".repeat(BAR - filled), done,
        total, elapsed(), what);
    if (line.length() > WIDTH) {
      line = line.substring(0, WIDTH - 3) + "...";
    }
    err.print("\r" + line + " ".repeat(WIDTH - line.length()));
    err.flush();
    drawn = true;
  }

  private void clear() {
    if (drawn) {
      err.print("\r" + " ".repeat(WIDTH) + "\r");
      drawn = false;
    }
  }

  private String elapsed() {
    long s = (System.nanoTime() - start) / 1_000_000_000L;
    return String.format("%d:%02d", s / 60, s % 60);
  }
}
