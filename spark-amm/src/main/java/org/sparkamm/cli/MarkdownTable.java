package org.sparkamm.cli;

import java.util.ArrayList;
import java.util.List;

/** A GitHub Markdown table: the first column left-aligned, the others (numbers) right-aligned. */
final class MarkdownTable {
  private final List<String[]> rows = new ArrayList<>();

  MarkdownTable(String... header) {
    rows.add(header);
  }

  MarkdownTable row(String... cells) {
    if (cells.length != rows.get(0).length) {
      throw new IllegalArgumentException("a row needs " + rows.get(0).length + " cells, got " + cells.length);
    }
    String[] escaped = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      escaped[i] = cells[i].replace("|", "\\|");
    }
    rows.add(escaped);
    return this;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < rows.size(); r++) {
      sb.append("| ").append(String.join(" | ", rows.get(r))).append(" |\n");
      if (r == 0) {
        sb.append("|---");
        sb.append("|---:".repeat(rows.get(0).length - 1));
        sb.append("|\n");
      }
    }
    return sb.toString();
  }
}
