package org.sparkamm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.sparkamm.local.Blas;

/**
 * What a result depends on beyond its inputs, for the header of an experiment's files: the time,
 * spark-amm's version, Java, Spark, Scala, the BLAS in use, the operating system, the CPU model (from
 * {@code /proc/cpuinfo} where there is one), the cores and the JVM's heap.
 */
final class MachineInfo {
  private MachineInfo() {}

  /** "key: value" lines. */
  static List<String> describe() {
    Runtime rt = Runtime.getRuntime();
    List<String> lines = new ArrayList<>();
    lines.add("date: " + Instant.now().truncatedTo(ChronoUnit.SECONDS));
    lines.add("spark-amm: " + ownVersion());
    lines.add("java: " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
        + System.getProperty("java.vendor") + ")");
    lines.add("spark: " + org.apache.spark.package$.MODULE$.SPARK_VERSION() + ", scala "
        + scala.util.Properties.versionNumberString());
    lines.add("blas: " + Blas.implementation() + (System.getenv("OPENBLAS_NUM_THREADS") == null ? ""
        : ", OPENBLAS_NUM_THREADS=" + System.getenv("OPENBLAS_NUM_THREADS")));
    lines.add("os: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    lines.add("cpu: " + cpuModel() + ", " + rt.availableProcessors() + " cores available to the JVM");
    lines.add("heap: " + rt.maxMemory() / (1 << 20) + " MiB");
    return lines;
  }

  /** The version in the jar's Maven metadata, or "development build" when run from class directories. */
  private static String ownVersion() {
    try (InputStream in = MachineInfo.class.getResourceAsStream("/META-INF/maven/org.sparkamm/spark-amm/pom.properties")) {
      if (in == null) {
        return "development build (classes directory)";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: the model stays unknown
    }
    return "unknown model";
  }
}
