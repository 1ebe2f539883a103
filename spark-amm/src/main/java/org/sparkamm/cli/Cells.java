package org.sparkamm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How the experiments' Markdown tables write numbers, and their numbered notes on failures. */
final class Cells {
  private Cells() {}

  /** A relative error to 4 significant digits; 0 as 0; "–" for NaN. */
  static String error(double v) {
    return Double.isNaN(v) ? "–" : v == 0 ? "0" : String.format(Locale.ROOT, "%.4g", v);
  }

  /** Milliseconds with thousands separators; "–" for none (negative). */
  static String millis(long ms) {
    return ms < 0 ? "–" : String.format(Locale.ROOT, "%,d", ms);
  }

  /** A ratio such as a speed-up, to one decimal, with a times sign; "–" when not finite. */
  static String ratio(double r) {
    return Double.isFinite(r) ? String.format(Locale.ROOT, "%.1f×", r) : "–";
  }

  /** Bytes in MB (10^6): one decimal below 10 MB, "–" for none. */
  static String megabytes(long bytes) {
    return bytes < 0 ? "–" : bytes < 10_000_000 ? String.format(Locale.ROOT, "%.1f MB", bytes / 1e6)
        : String.format(Locale.ROOT, "%,d MB", Math.round(bytes / 1e6));
  }

  /** Numbered notes, one per distinct message: a cell gets " [n]", the notes follow the table. */
  static final class Notes {
    private final List<String> messages = new ArrayList<>();

    /** " [n]" for a setting with a failed trial, "" for none. */
    String mark(TrialSummary s) {
      return mark(s.failure);
    }

    /** " [n]" for a failure message, "" for none (null). */
    String mark(String failure) {
      if (failure == null) {
        return "";
      }
      int i = messages.indexOf(failure);
      if (i < 0) {
        messages.add(failure);
        i = messages.size() - 1;
      }
      return " [" + (i + 1) + "]";
    }

    /** The failed cells' messages, numbered, or "" when nothing failed. */
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      if (!messages.isEmpty()) {
        sb.append("\nFailed trials (recorded with their messages in the CSV):\n\n");
        for (int i = 0; i < messages.size(); i++) {
          sb.append("- [").append(i + 1).append("] ").append(messages.get(i).replace("|", "\\|")).append('\n');
        }
      }
      return sb.toString();
    }
  }
}
