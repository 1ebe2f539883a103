package org.sparkamm.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkamm.error.AmmArgumentException;

/** {@code --name value} options and {@code --flag} switches of one command, checked against what it accepts. */
final class Args {
  /** Options that may be given several times ({@code --set k=v --set k2=v2}). */
  static final Set<String> REPEATABLE = Set.of("set");
  private final Map<String, String> values = new HashMap<>();
  private final Map<String, List<String>> repeated = new HashMap<>();
  private final Set<String> flags = new HashSet<>();
  private final List<String> positional = new ArrayList<>();

  Args(String command, String[] argv, int from, Set<String> valueOptions, Set<String> flagOptions) {
    for (int i = from; i < argv.length; i++) {
      String a = argv[i];
      if (a.startsWith("--")) {
        String name = a.substring(2);
        String inline = null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          inline = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (flagOptions.contains(name) && inline == null) {
          flags.add(name);
        } else if (valueOptions.contains(name)) {
          if (values.containsKey(name) && !REPEATABLE.contains(name)) {
            throw new AmmArgumentException(command + ": option --" + name + " given twice");
          }
          if (inline == null) {
            if (i + 1 >= argv.length) {
              throw new AmmArgumentException(command + ": option --" + name + " needs a value");
            }
            inline = argv[++i];
          }
          values.put(name, inline);
          repeated.computeIfAbsent(name, k -> new ArrayList<>()).add(inline);
        } else {
          throw new AmmArgumentException(command + ": unknown option --" + name + " (see 'spark-amm help')");
        }
      } else {
        positional.add(a);
      }
    }
  }

  /** Every value of a repeatable option, in order. */
  List<String> all(String name) {
    return repeated.getOrDefault(name, List.of());
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  String get(String name) {
    return values.get(name);
  }

  String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  String required(String command, String name) {
    String v = values.get(name);
    if (v == null) {
      throw new AmmArgumentException(command + ": missing required option --" + name);
    }
    return v;
  }

  long getLong(String name, long fallback) {
    String v = values.get(name);
    return v == null ? fallback : parseLong(name, v);
  }

  int getInt(String name, int fallback) {
    long v = getLong(name, fallback);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new AmmArgumentException("--" + name + " is out of range: " + v);
    }
    return (int) v;
  }

  double getDouble(String name, double fallback) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new AmmArgumentException("--" + name + " must be a number, got '" + v + "'");
    }
  }

  List<String> positional() {
    return positional;
  }

  static long parseLong(String name, String v) {
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new AmmArgumentException("--" + name + " must be an integer, got '" + v + "'");
    }
  }

  /** A comma-separated list of integers. */
  static int[] parseInts(String name, String v) {
    String[] parts = v.split(",");
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      long x = parseLong(name, parts[i]);
      if (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE) {
        throw new AmmArgumentException("--" + name + " is out of range: " + x);
      }
      out[i] = (int) x;
    }
    return out;
  }
}
