package org.sparkamm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.BlockManagerId;
import org.apache.spark.storage.RDDBlockId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.sparkamm.Amm;
import org.sparkamm.TestMatrices;
import org.sparkamm.cli.Main;
import org.sparkamm.io.Npy;
import org.sparkamm.spark.BlockProduct;
import org.sparkamm.spark.DistributedFiles;

/**
 * The library on a real Spark standalone cluster (issue 11): a master and two workers, separate
 * JVMs on 127.0.0.1 ({@link StandaloneCluster}), each worker one core and one 512m executor.
 *
 * <p>Runs in the {@code cluster-test} execution of the package phase (the jar and
 * {@code classpath.txt} exist by then), in its own JVM; elsewhere (a {@code -Dtest=} run in the
 * test phase) it is skipped.
 *
 * <p>What it checks, for {@code mm}, {@code countSketch} and {@code weighted-cr} on AᵀB with A
 * 3000 x 400 and B 3000 x 300 (uniform [0, 1) entries) in 100 x 100 blocks, sketch size 300:
 * <ul>
 *   <li>{@code bin/spark-amm multiply --master spark://...} and {@code SparkSubmit --class
 *       org.sparkamm.cli.Main JAR multiply ...} (a java process on SPARK_HOME's jars, as
 *       spark-submit runs it) write the .npy that {@code --engine local} writes;
 *   <li>with the driver in this JVM, an executor killed (SIGKILL, by pid) while a task of the
 *       sketching pass runs on it ({@code countSketch}, {@code weighted-cr}; {@code mm} is MLlib's
 *       {@code BlockMatrix.multiply} and has none), and another one killed after
 *       {@link Amm#multiply} returned and before the result is read (the one holding most cached
 *       result blocks, so that they are recomputed from the result's lineage), leave the result
 *       as it was without faults;
 *   <li>every listening socket of the master, the workers, the executors and this JVM is on the
 *       loopback interface.
 * </ul>
 *
 * <p>Tolerance. Runs and engines differ only in the order of floating-point sums (the random
 * choices are functions of (seed, index)). Each entry of C is computed from sums at most n = 3000
 * terms deep (mm: a dot product of length n; weighted-cr: a sum over l samples; countSketch: bucket
 * sums of about n/l terms, then a dot product of length l), so any order is within n·u·Σ|terms|
 * of the exact value (u = 2⁻⁵³, Higham, Accuracy and Stability of Numerical Algorithms, §3.1) and
 * two orders agree to 2·3000·1.1e-16·κ ≈ 7e-13·κ relative, κ = Σ|terms| / |C|: 1 for mm and
 * weighted-cr (non-negative inputs and weights), about n/l = 10 for countSketch (signed buckets).
 * 1e-9 leaves a margin over 100; a real defect (a block lost or counted twice moves a positive
 * sum by about 1/30, a different random draw moves a sketched product by O(1)) is a million times
 * larger. Measured: 1e-16 to 2e-16 across engines, 0 between faulted and fault-free runs.
 */
@EnabledIfSystemProperty(named = "sparkamm.clusterTest", matches = "true",
    disabledReason = "runs in the package phase (surefire execution cluster-test), after the jar is built")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
  private static final int ROWS = 3000;
  private static final int COLS_A = 400;
  private static final int COLS_B = 300;
  private static final int BLOCK = 100;
  private static final int SKETCH = 300;
  private static final long SEED = 7;
  private static final double TOLERANCE = 1e-9;
  private static final List<String> ALGOS = List.of("mm", "countSketch", "weighted-cr");
  /** Bound on every wait for Spark to notice something (an executor lost, executors registered). */
  private static final long WAIT_SECONDS = 60;
  /** Bound on one command-line multiply (a driver and its executors start, multiply, stop). */
  private static final long CLI_SECONDS = 120;
  /**
   * Bound on each test, for what the bounds above do not cover (a Spark job that never ends): the
   * test fails, and {@link #stopCluster} stops every process.
   */
  private static final long TEST_SECONDS = 600;

  private static long startNanos;
  private static Path base;
  private static Path jar;
  private static ProcessGroup processes;
  private static StandaloneCluster cluster;
  private static Path aNpy;
  private static Path bNpy;
  private static final Map<String, DenseMatrix> LOCAL = new HashMap<>();

  @BeforeAll
  static void startCluster() throws Exception {
    startNanos = System.nanoTime();
    Path target = Path.of(System.getProperty("sparkamm.buildDirectory", "target")).toAbsolutePath();
    jar = Path.of(System.getProperty("sparkamm.jar", target.resolve("spark-amm-0.1.0-SNAPSHOT.jar").toString()));
    assertTrue(Files.isRegularFile(jar), jar + " missing: this test runs after the jar is packaged");
    base = Files.createTempDirectory(target, "cluster-test-");
    processes = new ProcessGroup();
    aNpy = base.resolve("a.npy");
    bNpy = base.resolve("b.npy");
    Npy.write(aNpy, TestMatrices.uniform(ROWS, COLS_A, 1), false);
    Npy.write(bNpy, TestMatrices.uniform(ROWS, COLS_B, 2), false);
    List<String> flags = Arrays.asList(System.getProperty("sparkamm.sparkArgs", "").strip().split("\\s+"));
    cluster = new StandaloneCluster(base, Files.readString(target.resolve("classpath.txt")), flags, processes, 2,
        "1g");
    System.out.printf("cluster test: master and 2 workers up after %.1f s%n", (System.nanoTime() - startNanos) / 1e9);
    for (String algo : ALGOS) {
      Path out = base.resolve("local-" + algo + ".npy");
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int status = Main.run(multiplyArgs(algo, aNpy, bNpy, out, "--engine", "local"),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
      LOCAL.put(algo, Npy.read(out).matrix);
    }
  }

  @AfterAll
  static void stopCluster() throws IOException {
    try {
      if (processes != null) {
        processes.close();
        System.out.printf("cluster test: %.1f s wall, %.1f s CPU (this JVM and every process it started)%n",
            (System.nanoTime() - startNanos) / 1e9, cpuSeconds());
      }
    } finally {
      if (base != null) {
        try (Stream<Path> files = Files.walk(base)) {
          for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(f);
          }
        }
      }
    }
  }

  /** CPU time of this JVM and of its waited-for descendants (user + system, children included), from /proc. */
  private static double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3
    long ticks = 0;
    for (int i = 11; i <= 14; i++) { // utime, stime, cutime, cstime
      ticks += Long.parseLong(f[i]);
    }
    return ticks / 100.0; // USER_HZ
  }

  private static String[] multiplyArgs(String algo, Path a, Path b, Path out, String... more) {
    List<String> args = new ArrayList<>(List.of("multiply", "--a", a.toString(), "--b", b.toString(),
        "--transpose-a", "--algo", algo, "--sketch", String.valueOf(SKETCH), "--seed", String.valueOf(SEED),
        "--block-size", String.valueOf(BLOCK), "--out", out.toString()));
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  /** Spark settings of every driver: loopback ports chosen here, no web UI, small executors, scratch under base. */
  private static Map<String, String> driverConf() throws IOException {
    int[] ports = StandaloneCluster.freePorts(2);
    Map<String, String> conf = new HashMap<>();
    conf.put("spark.driver.port", String.valueOf(ports[0]));
    conf.put("spark.driver.blockManager.port", String.valueOf(ports[1]));
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.executor.memory", "512m");
    conf.put("spark.executor.cores", "1");
    // one token each: bin/spark-amm splits JAVA_OPTS at spaces
    conf.put("spark.executor.extraJavaOptions", StandaloneCluster.QUICK_START.get(0));
    conf.put("spark.executor.defaultJavaOptions", StandaloneCluster.QUICK_START.get(1));
    conf.put("spark.local.dir", Files.createDirectories(base.resolve("driver-local")).toString());
    return conf;
  }

  @Test
  @Order(1)
  @Timeout(value = TEST_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void launcherAndSparkSubmitOnTheClusterWriteWhatTheLocalEngineWrites() throws Exception {
    Path launcher = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent().resolve("bin/spark-amm");
    for (String algo : ALGOS) {
      Map<String, String> env = cluster.environment();
      env.put("SPARK_AMM_HEAP", "768m");
      StringBuilder opts = new StringBuilder(String.join(" ", StandaloneCluster.QUICK_START));
      driverConf().forEach((k, v) -> opts.append(" -D").append(k).append('=').append(v));
      env.put("JAVA_OPTS", opts.toString());
      List<String> viaLauncher = new ArrayList<>(List.of(launcher.toString()));
      // Paths relative to the drivers' working directory (base): the executors run elsewhere.
      Path a = base.relativize(aNpy);
      Path b = base.relativize(bNpy);
      viaLauncher.addAll(List.of(multiplyArgs(algo, a, b, Path.of("launcher-" + algo + ".npy"), "--master",
          cluster.masterUrl())));

      List<String> viaSubmit = new ArrayList<>(List.of("org.apache.spark.deploy.SparkSubmit", "--master",
          cluster.masterUrl(), "--deploy-mode", "client", "--class", "org.sparkamm.cli.Main"));
      driverConf().forEach((k, v) -> viaSubmit.addAll(List.of("--conf", k + "=" + v)));
      viaSubmit.add(jar.toString());
      viaSubmit.addAll(List.of(multiplyArgs(algo, a, b, Path.of("submit-" + algo + ".npy"))));

      // Both at once: one driver starts while the other's application holds the cluster's two cores.
      List<Driver> drivers = List.of(new Driver("launcher-" + algo, viaLauncher, env),
          new Driver("submit-" + algo, cluster.java("768m", viaSubmit), cluster.environment()));
      for (Driver d : drivers) {
        String json = d.finish();
        assertTrue(json.contains("\"engine\":\"spark\""), json);
        DenseMatrix written = Npy.read(base.resolve(d.name + ".npy")).matrix;
        assertClose(LOCAL.get(algo), written, d.name + " against --engine local");
      }
    }
  }

  /** A command-line driver started now; {@link #finish} waits for it (bounded) and returns its stdout. */
  private static final class Driver {
    final String name;
    final Process process;
    final long t0 = System.nanoTime();

    Driver(String name, List<String> command, Map<String, String> env) throws IOException {
      this.name = name;
      this.process = processes.start(command, env, base, base.resolve(name + ".out"), base.resolve(name + ".err"));
    }

    String finish() throws Exception {
      int status = ProcessGroup.waitFor(process, CLI_SECONDS);
      String stderr = Files.readString(base.resolve(name + ".err"), StandardCharsets.ISO_8859_1);
      assertEquals(0, status, name + " failed:\n" + stderr + "\n" + cluster.logTails());
      assertFalse(stderr.contains("building the jar"), "bin/spark-amm rebuilt the jar inside the test");
      System.out.printf("cluster test: %s took %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
      return Files.readString(base.resolve(name + ".out"), StandardCharsets.UTF_8);
    }
  }

  @Test
  @Order(2)
  @Timeout(value = TEST_SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void executorsKilledDuringAndAfterTheProductLeaveTheResultUnchanged() throws Exception {
    SparkSession.Builder builder = SparkSession.builder().master(cluster.masterUrl()).appName("spark-amm-cluster-test")
        .config("spark.driver.host", StandaloneCluster.HOST).config("spark.driver.bindAddress", StandaloneCluster.HOST)
        .config("spark.cores.max", "2").config("spark.executorEnv.OPENBLAS_NUM_THREADS", "1")
        .config("spark.jars", jar + "," + hookJar());
    driverConf().forEach(builder::config);
    SparkSession session = builder.getOrCreate();
    try {
      SparkContext sc = session.sparkContext();
      sc.setLogLevel("ERROR"); // the lost executors are expected: no warning per lost block
      Events events = new Events();
      sc.addSparkListener(events);
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
      BlockMatrix aFile = DistributedFiles.blockMatrix(jsc, aNpy.toUri().toString(), BLOCK, 8);
      BlockMatrix bFile = DistributedFiles.blockMatrix(jsc, bNpy.toUri().toString(), BLOCK, 8);
      waitForExecutors(sc, 2);
      assertOnlyLoopback(sc.applicationId());
      for (String algo : ALGOS) {
        Amm amm = Amm.create(algo).setSeed(SEED);
        BlockMatrix clean = amm.multiply(aFile.transpose(), bFile, SKETCH);
        DenseMatrix expected = dense(clean.toLocalMatrix());
        clean.blocks().unpersist(false);
        assertClose(LOCAL.get(algo), expected, "in-process driver " + algo + " against --engine local");

        waitForExecutors(sc, 2);
        ExecutorService killer = Executors.newSingleThreadExecutor();
        try {
          BlockMatrix input = aFile;
          Future<String> killedDuring = null;
          Path control = Files.createDirectories(base.resolve("faults-" + algo));
          if (!algo.equals("mm")) { // mm has no sketching pass: it is MLlib's BlockMatrix.multiply
            Files.createFile(control.resolve("armed"));
            PauseInPass pause = new PauseInPass(control, BlockProduct.class.getName(), "sketchBlocks");
            input = new BlockMatrix(aFile.blocks().toJavaRDD().map(pause).rdd(), BLOCK, BLOCK, ROWS, COLS_A);
            killedDuring = killer.submit(() -> killPausedExecutor(control, sc.applicationId()));
          }
          int lostBefore = events.tasksLostWithExecutor.get();
          BlockMatrix faulted = amm.multiply(input.transpose(), bFile, SKETCH);
          try {
            String what = algo + " with executor ";
            if (killedDuring != null) {
              assertTrue(Files.exists(control.resolve("pid")), "no task of " + algo + "'s sketching pass was paused");
              String first = killedDuring.get(WAIT_SECONDS, TimeUnit.SECONDS);
              await("the paused task of " + algo + " failing with its executor " + first,
                  () -> events.tasksLostWithExecutor.get() > lostBefore);
              what += first + " killed during the sketching pass and ";
            }
            String holder = holderOfMostBlocks(faulted);
            kill(sc.applicationId(), holder);
            await("the driver removing executor " + holder, () -> events.removed.contains(holder));
            assertClose(expected, dense(faulted.toLocalMatrix()), what + holder + " after multiply returned");
          } finally {
            faulted.blocks().unpersist(false);
          }
        } finally {
          killer.shutdownNow();
        }
      }
      System.out.printf("cluster test: in-process driver done after %.1f s%n", (System.nanoTime() - startNanos) / 1e9);
    } finally {
      session.stop();
    }
  }

  /** A jar of {@link PauseInPass} alone, shipped to the executors with the library's jar. */
  private static Path hookJar() throws IOException {
    Path hook = base.resolve("pause-in-pass.jar");
    String entry = PauseInPass.class.getName().replace('.', '/') + ".class";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(hook));
        InputStream in = PauseInPass.class.getClassLoader().getResourceAsStream(entry)) {
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
    }
    return hook;
  }

  /**
   * Waits (bounded) for the paused task to publish its pid, checks that the pid is an executor of
   * this application started by one of the cluster's workers, and kills it. Returns the executor id.
   */
  private static String killPausedExecutor(Path control, String appId) throws Exception {
    Path pidFile = control.resolve("pid");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!Files.exists(pidFile)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no task paused in the product's pass within " + WAIT_SECONDS + " s");
      }
      Thread.sleep(20);
    }
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    assertTrue(cluster.isExecutorProcess(pid), "pid " + pid + " is not a process of the test's workers");
    String id = cluster.executors(appId).entrySet().stream().filter(e -> e.getValue().pid() == pid)
        .map(Map.Entry::getKey).findFirst()
        .orElseThrow(() -> new AssertionError("pid " + pid + " is not an executor of " + appId));
    kill(appId, id);
    return id;
  }

  /** SIGKILL to executor {@code id} of {@code appId} (by pid), waited for. */
  private static void kill(String appId, String id) {
    ProcessHandle h = cluster.executors(appId).get(id);
    assertTrue(h != null, "executor " + id + " of " + appId + " has no live process among the workers' children");
    ProcessGroup.kill(h);
    assertFalse(h.isAlive(), "executor " + id + " (pid " + h.pid() + ") survived SIGKILL");
  }

  /** The executor holding the most cached blocks of {@code c} (there is one: the result is cached). */
  private static String holderOfMostBlocks(BlockMatrix c) {
    Map<String, Integer> count = new HashMap<>();
    int rdd = c.blocks().id();
    for (int p = 0; p < c.blocks().getNumPartitions(); p++) {
      for (BlockManagerId id : scala.jdk.javaapi.CollectionConverters.asJava(
          SparkEnv.get().blockManager().master().getLocations(new RDDBlockId(rdd, p)))) {
        count.merge(id.executorId(), 1, Integer::sum);
      }
    }
    count.remove("driver");
    return count.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
        .orElseThrow(() -> new AssertionError("no cached block of the result on any executor"));
  }

  private static void waitForExecutors(SparkContext sc, int n) throws InterruptedException {
    // getExecutorInfos lists the driver too
    await(n + " executors registered", () -> sc.statusTracker().getExecutorInfos().length - 1 >= n);
  }

  /** Polls {@code condition} until it holds, failing (with the cluster's logs) after {@value #WAIT_SECONDS} s. */
  private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + WAIT_SECONDS + " s for " + what + "\n" + cluster.logTails());
      }
      Thread.sleep(50);
    }
  }

  private static void assertOnlyLoopback(String appId) throws IOException {
    List<Long> pids = new ArrayList<>();
    pids.add(ProcessHandle.current().pid());
    Map<String, ProcessHandle> executors = cluster.executors(appId);
    assertEquals(2, executors.size(), "executor processes of " + appId + ": " + executors);
    executors.values().forEach(h -> pids.add(h.pid()));
    pids.addAll(cluster.daemonPids());
    for (long pid : pids) {
      List<String> listening = ListeningSockets.of(pid);
      assertFalse(listening.isEmpty(), "process " + pid + " listens on nothing (or /proc is unreadable)");
      List<String> wild = listening.stream().filter(x -> !ListeningSockets.isLoopback(x)).toList();
      assertTrue(wild.isEmpty(), "process " + pid + " listens beyond 127.0.0.1 (hex address:port): " + wild);
    }
  }

  private static DenseMatrix dense(Matrix m) {
    return m instanceof DenseMatrix ? (DenseMatrix) m : new DenseMatrix(m.numRows(), m.numCols(), m.toArray());
  }

  private static void assertClose(DenseMatrix expected, DenseMatrix actual, String what) {
    assertEquals(expected.numRows(), actual.numRows(), what + ": rows");
    assertEquals(expected.numCols(), actual.numCols(), what + ": columns");
    double rel = Amm.relativeFrobeniusError(expected, actual);
    System.out.printf("cluster test: %s: relative difference %.3g (max abs %.3g)%n", what, rel,
        TestMatrices.maxAbsDiff(expected.toArray(), actual.toArray()));
    assertTrue(rel <= TOLERANCE, what + ": relative Frobenius difference " + rel + " > " + TOLERANCE);
  }

  /** What the driver saw: executors removed, and tasks that failed because their executor was lost. */
  private static final class Events extends SparkListener {
    final Set<String> removed = ConcurrentHashMap.newKeySet();
    final AtomicInteger tasksLostWithExecutor = new AtomicInteger();

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
      removed.add(e.executorId());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      if (e.reason() instanceof org.apache.spark.ExecutorLostFailure) {
        tasksLostWithExecutor.incrementAndGet();
      }
    }
  }
}
