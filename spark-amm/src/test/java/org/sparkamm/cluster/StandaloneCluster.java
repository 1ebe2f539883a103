package org.sparkamm.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on this machine: one master and {@code workers} workers, each a
 * separate JVM bound to 127.0.0.1 only ({@code SPARK_LOCAL_IP} and {@code --host}; web UIs on ports
 * chosen here, bound to the same address), run from the Maven dependency jars: {@code SPARK_HOME}
 * is a directory whose {@code jars/} links to the jars of {@code target/classpath.txt} (Spark's
 * runtime classpath, written at package time), which is where workers find the executor's
 * classpath ({@code SPARK_SCALA_VERSION} tells them it is a release layout, not a source build).
 * Each worker offers one core and {@code workerMemory}; executors are the workers' child processes.
 * Everything lives under {@code base}; the caller's {@link ProcessGroup} stops every process.
 */
final class StandaloneCluster {
  static final String HOST = "127.0.0.1";
  private static final long START_SECONDS = 90;
  /**
   * JVM flags for the short-lived JVMs of a test (daemons, drivers, executors): the C1 compiler
   * alone and the serial collector halve the CPU a Spark JVM spends starting (measured for one
   * multiply on this cluster: driver 11 s to 5 s, its two executors 15 s to 8 s of CPU).
   */
  static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  private final Path base;
  private final Path sparkHome;
  private final List<String> jvmFlags;
  private final ProcessGroup processes;
  private final Process master;
  private final List<Process> workerProcesses = new ArrayList<>();
  private final String masterUrl;
  private final int masterUiPort;

  /**
   * Starts the master and the workers and waits (at most {@value #START_SECONDS} s) until the
   * master lists every worker as alive.
   *
   * @param runtimeClasspath Spark's jars, separated by ':'
   * @param jvmFlags Spark's JVM flags for Java 17 (its launcher's --add-opens list)
   */
  StandaloneCluster(Path base, String runtimeClasspath, List<String> jvmFlags, ProcessGroup processes, int workers,
      String workerMemory) throws IOException, InterruptedException {
    this.base = base;
    this.jvmFlags = jvmFlags;
    this.processes = processes;
    this.sparkHome = base.resolve("spark-home");
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    for (String entry : runtimeClasspath.strip().split(":")) {
      Path jar = Path.of(entry);
      if (entry.endsWith(".jar") && !Files.exists(jars.resolve(jar.getFileName()))) {
        Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
      }
    }
    Files.createDirectories(base.resolve("logs"));
    long deadline = System.nanoTime() + START_SECONDS * 1_000_000_000L;
    int[] ports = freePorts(2 + 2 * workers);
    // No REST submission server (it would take the fixed port 6066).
    master = daemon("master", List.of("-Dspark.master.rest.enabled=false", "org.apache.spark.deploy.master.Master",
        "--host", HOST, "--port", String.valueOf(ports[0]), "--webui-port", String.valueOf(ports[1])), Map.of());
    // The ports it bound, from its log: another process may have taken a chosen port meanwhile, and
    // Spark then binds the next one.
    Path log = base.resolve("logs").resolve("master.log");
    masterUrl = logged(log, "Starting Spark master at (spark://\\S+)", deadline);
    masterUiPort = Integer.parseInt(logged(log, "started service 'MasterUI' on port (\\d+)", deadline));
    for (int w = 0; w < workers; w++) {
      Path work = Files.createDirectories(base.resolve("work-" + w));
      Path local = Files.createDirectories(base.resolve("local-" + w));
      workerProcesses.add(daemon("worker-" + w, List.of("org.apache.spark.deploy.worker.Worker", "--host", HOST,
          "--port", String.valueOf(ports[2 + 2 * w]), "--webui-port", String.valueOf(ports[3 + 2 * w]),
          "--cores", "1", "--memory", workerMemory, "--work-dir", work.toString(), masterUrl),
          Map.of("SPARK_LOCAL_DIRS", local.toString())));
    }
    while (aliveWorkers() < workers) {
      if (!master.isAlive() || workerProcesses.stream().anyMatch(p -> !p.isAlive())) {
        throw new IllegalStateException("a cluster daemon exited while starting\n" + logTails());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("workers not registered within " + START_SECONDS + " s\n" + logTails());
      }
      Thread.sleep(250);
    }
  }

  String masterUrl() {
    return masterUrl;
  }

  /**
   * The first group of {@code regex} in {@code log} once a line matches it; fails after
   * {@code deadline} or when the master has exited.
   */
  private String logged(Path log, String regex, long deadline) throws IOException, InterruptedException {
    Pattern p = Pattern.compile(regex);
    while (true) {
      Matcher m = p.matcher(Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "");
      if (m.find()) {
        return m.group(1);
      }
      if (!master.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the master did not log /" + regex + "/ within " + START_SECONDS + " s\n"
            + logTails());
      }
      Thread.sleep(100);
    }
  }

  /** The environment of every process of this cluster and of its drivers: loopback only, this SPARK_HOME. */
  Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_LOCAL_IP", HOST);
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    return env;
  }

  /** {@code java} with Spark's flags, heap {@code heap} and SPARK_HOME's jars as the classpath, then {@code args}. */
  List<String> java(String heap, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.addAll(QUICK_START);
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(sparkHome.resolve("jars") + "/*");
    cmd.addAll(args);
    return cmd;
  }

  private Process daemon(String name, List<String> args, Map<String, String> extraEnv) throws IOException {
    Map<String, String> env = environment();
    env.putAll(extraEnv);
    return processes.start(java("256m", args), env, base, base.resolve("logs").resolve(name + ".log"), null);
  }

  /**
   * The executor processes of application {@code appId}, by executor id: the workers' descendants
   * running {@code CoarseGrainedExecutorBackend} for that application.
   */
  Map<String, ProcessHandle> executors(String appId) {
    Map<String, ProcessHandle> out = new HashMap<>();
    for (Process w : workerProcesses) {
      w.descendants().forEach(h -> {
        List<String> args = List.of(h.info().arguments().orElse(new String[0]));
        int id = args.indexOf("--executor-id");
        int app = args.indexOf("--app-id");
        if (id >= 0 && app >= 0 && id + 1 < args.size() && app + 1 < args.size() && args.get(app + 1).equals(appId)
            && h.isAlive()) {
          out.put(args.get(id + 1), h);
        }
      });
    }
    return out;
  }

  /** The process ids of the master and the workers. */
  List<Long> daemonPids() {
    List<Long> pids = new ArrayList<>();
    pids.add(master.pid());
    workerProcesses.forEach(w -> pids.add(w.pid()));
    return pids;
  }

  /** True when {@code pid} is a process that one of this cluster's workers started (directly or not). */
  boolean isExecutorProcess(long pid) {
    return workerProcesses.stream().anyMatch(w -> w.descendants().anyMatch(h -> h.pid() == pid));
  }

  /** The number of workers the master reports ALIVE (its web UI's JSON), 0 while it is not answering. */
  private int aliveWorkers() {
    try {
      URL json = URI.create("http://" + HOST + ":" + masterUiPort + "/json/").toURL();
      HttpURLConnection c = (HttpURLConnection) json.openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(2000);
      try (InputStream in = c.getInputStream()) {
        Matcher m = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)")
            .matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return 0;
    }
  }

  /** The last lines of every daemon's and executor's log, for a failure message. */
  String logTails() {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.walk(base)) {
      files.filter(f -> f.toString().endsWith(".log") || f.getFileName().toString().equals("stderr"))
          .filter(Files::isRegularFile).sorted().forEach(f -> {
            List<String> lines = readLines(f);
            sb.append("==> ").append(base.relativize(f)).append(" <==\n");
            lines.subList(Math.max(0, lines.size() - 25), lines.size()).forEach(l -> sb.append(l).append('\n'));
          });
    } catch (IOException | UncheckedIOException e) {
      sb.append("(logs unreadable: ").append(e.getMessage()).append(")\n");
    }
    return sb.toString();
  }

  private static List<String> readLines(Path f) {
    try {
      return Files.readAllLines(f, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return List.of("(unreadable: " + e.getMessage() + ")");
    }
  }

  /** {@code n} distinct ports that were free on 127.0.0.1 a moment ago. */
  static int[] freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST));
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

}
