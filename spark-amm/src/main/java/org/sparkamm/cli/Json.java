package org.sparkamm.cli;

import java.util.Map;

/** One-line JSON objects for machine-readable output (strings, numbers, booleans and arrays of longs). */
final class Json {
  private final StringBuilder sb = new StringBuilder("{");

  Json put(String key, Object value) {
    if (sb.length() > 1) {
      sb.append(',');
    }
    sb.append(quote(key)).append(':');
    if (value instanceof Double) {
      double d = (Double) value;
      sb.append(Double.isFinite(d) ? Double.toString(d) : quote(Double.toString(d)));
    } else if (value instanceof Number) {
      sb.append(value);
    } else if (value instanceof long[]) { // a shape: [10,16,100]
      sb.append(java.util.Arrays.toString((long[]) value).replace(" ", ""));
    } else if (value instanceof Boolean) {
      sb.append(value);
    } else {
      sb.append(quote(String.valueOf(value)));
    }
    return this;
  }

  Json putAll(Map<String, ?> map) {
    map.forEach(this::put);
    return this;
  }

  @Override
  public String toString() {
    return sb + "}";
  }

  private static String quote(String s) {
    StringBuilder q = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"':
          q.append("\\\"");
          break;
        case '\\':
          q.append("\\\\");
          break;
        case '\n':
          q.append("\\n");
          break;
        default:
          if (c < 0x20) {
            q.append(String.format("\\u%04x", (int) c));
          } else {
            q.append(c);
          }
      }
    }
    return q.append('"').toString();
  }
}
