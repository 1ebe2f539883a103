package org.sparkamm.config;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.error.AmmFormatException;

/**
 * A typed key/value configuration, compatible with LibAMM's {@code ConfigMap}.
 *
 * <p>Values are integers ({@code long}), reals ({@code double}) or strings. Unlike LibAMM, where an
 * integer written through Python lands in a map that the algorithms never read, a value is found
 * under its key whatever its type, and converted when read: an integer read as a real is widened; a
 * real read as an integer is accepted only when it is integral (so {@code 3.0} is 3 and {@code 2.5}
 * is an error); a string is never silently taken for a number.
 *
 * <p>Files use LibAMM's CSV lines {@code key,value,Type} with Type one of {@code U64}, {@code I64},
 * {@code Double}, {@code String}; a header line {@code key,value,type} and blank lines are skipped.
 * Keys that no algorithm reads are kept (LibAMM scripts pass such keys) and do no harm.
 *
 * <p>Each instance records the keys asked for through its getters ({@link #keysRead()}), so that a
 * caller can tell which keys of a file nothing read.
 */
public final class AmmConfig implements Serializable {
  private static final long serialVersionUID = 1L;
  private final LinkedHashMap<String, Object> values = new LinkedHashMap<>();
  /** Keys asked for through the getters; per instance, not copied and not serialized. */
  private transient Set<String> keysRead;

  public AmmConfig() {}

  /** A copy of {@code other}'s values (the copy has read no key yet). */
  public AmmConfig(AmmConfig other) {
    values.putAll(other.values);
  }

  /** Sets an integer value. */
  public AmmConfig edit(String key, long value) {
    values.put(checkKey(key), value);
    return this;
  }

  /** Sets a real value. */
  public AmmConfig edit(String key, double value) {
    values.put(checkKey(key), value);
    return this;
  }

  /** Sets a string value. */
  public AmmConfig edit(String key, String value) {
    values.put(checkKey(key), value);
    return this;
  }

  /**
   * Sets a value of any supported boxed type (Integer, Long, Short, Byte, Float, Double, Boolean as
   * 0/1, String): the entry point for dynamic callers such as Python.
   */
  public AmmConfig editObject(String key, Object value) {
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return edit(key, ((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      return edit(key, ((Number) value).doubleValue());
    } else if (value instanceof Boolean) {
      return edit(key, ((Boolean) value) ? 1L : 0L);
    } else if (value instanceof String) {
      return edit(key, (String) value);
    }
    throw new AmmArgumentException("config key '" + key + "': unsupported value type "
        + (value == null ? "null" : value.getClass().getSimpleName()) + " (use an integer, a real or a string)");
  }

  public boolean contains(String key) {
    noteRead(key);
    return values.containsKey(key);
  }

  public Set<String> keys() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** The raw value (Long, Double or String), or null. */
  public Object get(String key) {
    noteRead(key);
    return values.get(key);
  }

  /**
   * The keys asked for so far through {@link #contains}, {@link #get}, {@code getLong},
   * {@code getDouble} and {@code getString} on this instance, present or not, in the order first
   * asked (a snapshot).
   */
  public synchronized Set<String> keysRead() {
    return keysRead == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(keysRead));
  }

  /** The integer under {@code key}, or {@code fallback} when absent. */
  public long getLong(String key, long fallback) {
    Object v = get(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Long) {
      return (Long) v;
    }
    if (v instanceof Double) {
      double d = (Double) v;
      if (d == Math.rint(d) && Math.abs(d) < 0x1.0p63) {
        return (long) d;
      }
      throw new AmmArgumentException("config key '" + key + "' must be an integer, got " + d);
    }
    throw new AmmArgumentException("config key '" + key + "' must be an integer, got the string '" + v + "'");
  }

  /** The integer under {@code key} checked to lie in [min, max]. */
  public long getLong(String key, long fallback, long min, long max) {
    long v = getLong(key, fallback);
    AmmArgumentException.require(v >= min && v <= max,
        "config key '%s' must be in [%d, %d], got %d", key, min, max, v);
    return v;
  }

  /** The real under {@code key}, or {@code fallback} when absent. */
  public double getDouble(String key, double fallback) {
    Object v = get(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number) {
      return ((Number) v).doubleValue();
    }
    throw new AmmArgumentException("config key '" + key + "' must be a number, got the string '" + v + "'");
  }

  /** The string under {@code key}, or {@code fallback}; numbers are not strings and are rejected. */
  public String getString(String key, String fallback) {
    Object v = get(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof String) {
      return (String) v;
    }
    throw new AmmArgumentException("config key '" + key + "' must be a string, got the number " + v);
  }

  /** Reads LibAMM's ConfigMap CSV ({@code key,value,Type} lines). */
  public static AmmConfig fromFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AmmFormatException(file + ": cannot read config file (" + e.getMessage() + ")", e);
    }
    AmmConfig cfg = new AmmConfig();
    int lineNo = 0;
    for (String raw : lines) {
      lineNo++;
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(",", -1);
      if (f.length != 3) {
        throw new AmmFormatException(file + ":" + lineNo + ": expected 'key,value,Type', got '"
            + AmmFormatException.printable(line, 80) + "'");
      }
      String key = f[0].strip();
      String value = f[1].strip();
      String type = f[2].strip();
      if (lineNo == 1 && key.equalsIgnoreCase("key") && type.equalsIgnoreCase("type")) {
        continue;
      }
      try {
        switch (type) {
          case "U64": {
            long v = Long.parseLong(value);
            if (v < 0) {
              throw new NumberFormatException("negative U64");
            }
            cfg.edit(key, v);
            break;
          }
          case "I64":
            cfg.edit(key, Long.parseLong(value));
            break;
          case "Double":
            cfg.edit(key, Double.parseDouble(value));
            break;
          case "String":
            cfg.edit(key, value);
            break;
          default:
            throw new AmmFormatException(file + ":" + lineNo + ": unknown type '" + type
                + "' (valid: U64, I64, Double, String)");
        }
      } catch (NumberFormatException e) {
        throw new AmmFormatException(file + ":" + lineNo + ": value '" + value + "' is not a valid " + type);
      }
    }
    return cfg;
  }

  /** The configuration as LibAMM CSV lines. */
  public String toCsv() {
    StringBuilder sb = new StringBuilder("key,value,type\n");
    for (Map.Entry<String, Object> e : values.entrySet()) {
      Object v = e.getValue();
      String type = v instanceof Long ? "I64" : v instanceof Double ? "Double" : "String";
      sb.append(e.getKey()).append(',').append(v).append(',').append(type).append('\n');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return values.toString();
  }

  private synchronized void noteRead(String key) {
    if (keysRead == null) {
      keysRead = new LinkedHashSet<>();
    }
    keysRead.add(key);
  }

  private static String checkKey(String key) {
    AmmArgumentException.require(key != null && !key.isBlank() && key.indexOf(',') < 0,
        "config key must be a non-empty name without commas, got '%s'", key);
    return key;
  }
}
