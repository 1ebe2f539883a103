package org.sparkamm.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The processes a test started, and everything they started in turn (a worker's executors), stopped
 * on every path: {@link #close} asks each to stop, waits a bounded time, then kills what is left,
 * descendants included (a worker killed by SIGKILL would orphan its executors); a shutdown hook
 * does the same if the JVM exits before {@code close} runs. Every wait here is bounded.
 */
final class ProcessGroup implements AutoCloseable {
  private static final long STOP_SECONDS = 10;
  private final List<Process> started = new ArrayList<>();
  private final Thread hook = new Thread(this::stopAll, "stop-test-processes");

  ProcessGroup() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Starts {@code command} in {@code dir} with this JVM's environment less its {@code SPARK_*}
   * variables (a developer's SPARK_CONF_DIR must not reach the test's cluster), plus {@code env};
   * stdout goes to {@code out}, stderr to {@code err} (to {@code out} as well when null).
   */
  synchronized Process start(List<String> command, Map<String, String> env, Path dir, Path out, Path err)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    if (err == null) {
      pb.redirectErrorStream(true);
    } else {
      pb.redirectError(err.toFile());
    }
    pb.environment().keySet().removeIf(k -> k.startsWith("SPARK_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    started.add(p);
    return p;
  }

  /** Waits for {@code p} at most {@code seconds}; kills it (and its descendants) when it has not exited. */
  static int waitFor(Process p, long seconds) throws InterruptedException {
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      kill(p.toHandle());
      throw new AssertionError("process " + p.pid() + " did not exit within " + seconds + " s; killed");
    }
    return p.exitValue();
  }

  /** SIGKILL to {@code h} and all its descendants, each waited for at most {@value #STOP_SECONDS} s. */
  static void kill(ProcessHandle h) {
    List<ProcessHandle> all = new ArrayList<>(h.descendants().toList());
    all.add(0, h);
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle x : all) {
      try {
        x.onExit().get(STOP_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        // still running after SIGKILL and the wait: nothing more a test can do
      }
    }
  }

  private synchronized void stopAll() {
    // Descendants first noted (a stopping worker may exit before its executors), then a polite stop
    // of the roots, newest first (drivers, workers, then the master), then SIGKILL to whatever remains.
    List<ProcessHandle> descendants = new ArrayList<>();
    for (Process p : started) {
      descendants.addAll(p.descendants().toList());
    }
    for (int i = started.size() - 1; i >= 0; i--) {
      Process p = started.get(i);
      p.destroy();
      try {
        p.waitFor(STOP_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      kill(p.toHandle());
    }
    descendants.forEach(ProcessGroup::kill);
    started.clear();
  }

  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs (and finds nothing left)
    }
  }
}
