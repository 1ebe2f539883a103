package org.sparkamm.notebook;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The one part of Zeppelin's {@code z} (ZeppelinContext) that notes here may use: {@code z.show(df)}
 * writes a DataFrame in Zeppelin's {@code %table} display format (a header line and one line per row,
 * tab-separated, at most {@code zeppelin.spark.maxResult} rows, 1,000 by default), which Zeppelin
 * renders as a table or chart. Anything else on {@code z} fails to compile, so a note cannot come to
 * depend on Zeppelin features this test does not check.
 */
public final class ZeppelinContextStandIn {
  static final int MAX_RESULT = 1000;
  private final PrintStream out;

  ZeppelinContextStandIn(PrintStream out) {
    this.out = out;
  }

  public void show(Dataset<?> df) {
    List<Row> rows = df.toDF().takeAsList(MAX_RESULT + 1);
    StringBuilder s = new StringBuilder("%table ").append(String.join("\t", df.columns())).append('\n');
    for (Row row : rows.subList(0, Math.min(MAX_RESULT, rows.size()))) {
      for (int c = 0; c < row.length(); c++) {
        s.append(c == 0 ? "" : "\t").append(row.isNullAt(c) ? "null" : String.valueOf(row.get(c)));
      }
      s.append('\n');
    }
    if (rows.size() > MAX_RESULT) {
      s.append("\n%html <font color=red>Results are limited by ").append(MAX_RESULT).append(".</font>\n");
    }
    out.print(s);
    out.flush();
  }
}
