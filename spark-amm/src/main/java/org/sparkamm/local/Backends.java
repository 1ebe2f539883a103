package org.sparkamm.local;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkamm.error.AmmArgumentException;

/**
 * Finds the device backends of this JVM and resolves a {@link BackendChoice} to a
 * {@link ComputeBackend}.
 *
 * <p>Discovery runs once per JVM, on the first choice that is not {@link BackendChoice#CPU} (a CPU
 * run never loads a provider): {@link ServiceLoader} lists the {@code META-INF/services/}
 * {@code org.sparkamm.local.ComputeBackend} entries of the class loader that loaded spark-amm, and
 * each provider is instantiated and asked its {@link ComputeBackend#name name} and
 * {@link ComputeBackend#unavailableReason unavailable reason} exactly once. Every failure of a
 * provider (a class that is missing or fails its static initializer, a missing native library, any
 * {@code Throwable} of its constructor or of those two calls) is caught there and kept as a
 * one-line reason; nothing of a failed provider is touched again, so a native loader's second,
 * different failure ({@code NoClassDefFoundError} after {@code UnsatisfiedLinkError}) never
 * happens. The first provider, in class-path order, whose reason is null is the device backend.
 *
 * <p>Resolution: {@code CPU} is {@link CpuBackend}; {@code GPU_IF_AVAILABLE} is the device backend,
 * or {@code CpuBackend} after one warning per JVM naming every provider's reason;
 * {@code GPU_REQUIRED} is the device backend or an {@link AmmArgumentException} with those reasons
 * in one line. Thread-safe; after discovery a resolution is one volatile read.
 *
 * <p>Cost model of a device backend, stated here once for every caller. A {@code dgemm} call
 * crosses {@code 8 (m k + k n)} bytes of operands to the device and {@code 8 m n} back, plus
 * {@code 8 m n} more when beta is not 0 (C is read first), against {@code 2 m n k} flops: at most
 * about {@code k / 8} flops per byte moved for the reduced products and sketch tiles (k = l or a
 * panel of 256), more for the exact block GEMMs ({@code k} = block size). {@code sgemm} moves 4
 * bytes per element. A {@code scatterColumns} call moves {@code 8 (rowTo - rowFrom)} bytes per
 * column of v it reads, 16 bytes per hit (index, bucket, coefficient) and {@code 16 (rowTo -
 * rowFrom) l} bytes of the sketch (read and written), against {@code 2 (rowTo - rowFrom) count}
 * flops: under one flop per byte, so it pays on a device only where the sketch stays resident
 * there across calls. Each call is judged by the backend itself, which runs it on the device only
 * when its flops pay for those bytes and the launch latency, and hands the others to {@code
 * CpuBackend}; callers never batch or size calls for a backend. Calls may come from several
 * threads at once (the local engine sketches bands of rows in parallel, Spark runs a task per
 * core), on disjoint parts of the output.
 */
public final class Backends {
  /** The service file ServiceLoader reads. */
  static final String SERVICE_FILE = "META-INF/services/" + ComputeBackend.class.getName();
  private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
  /** A bound on providers examined, so that a misbehaving iterator cannot loop forever. */
  private static final int MAX_PROVIDERS = 64;
  private static final Backends JVM = new Backends(ComputeBackend.class.getClassLoader(), LOG::warn);

  private final ClassLoader loader;
  private final Consumer<String> warn;
  private final AtomicBoolean fallbackReported = new AtomicBoolean();
  private volatile Discovery discovery;

  /** What discovery found: the device backend, or null and the reason none is usable. */
  private static final class Discovery {
    final ComputeBackend device;
    final String reason;

    Discovery(ComputeBackend device, String reason) {
      this.device = device;
      this.reason = reason;
    }
  }

  /** Discovery through {@code loader}'s service files; {@code warn} receives the fallback line. */
  Backends(ClassLoader loader, Consumer<String> warn) {
    this.loader = loader;
    this.warn = warn;
  }

  /** This JVM's backend for {@code choice} (class comment). */
  public static ComputeBackend resolve(BackendChoice choice) {
    return JVM.backendFor(choice);
  }

  /** Null when this JVM has a usable device backend, else the one-line reason it has none (runs discovery). */
  public static String deviceUnavailableReason() {
    return JVM.deviceReason();
  }

  /** This instance's {@link #deviceUnavailableReason()}. */
  String deviceReason() {
    return discovery().reason;
  }

  /** True once discovery has run (it runs on the first choice other than CPU). */
  boolean discovered() {
    return discovery != null;
  }

  ComputeBackend backendFor(BackendChoice choice) {
    if (choice == BackendChoice.CPU) {
      return CpuBackend.INSTANCE;
    }
    Discovery d = discovery();
    if (d.device != null) {
      return d.device;
    }
    if (choice == BackendChoice.GPU_REQUIRED) {
      throw new AmmArgumentException("requireGpu=1 but no GPU backend is usable in this JVM: " + d.reason);
    }
    if (fallbackReported.compareAndSet(false, true)) {
      warn.accept("useCuda=1 but no GPU backend is usable in this JVM (" + d.reason
          + "); local products run on the CPU (netlib BLAS)");
    }
    return CpuBackend.INSTANCE;
  }

  private Discovery discovery() {
    Discovery d = discovery;
    if (d == null) {
      synchronized (this) {
        d = discovery;
        if (d == null) {
          d = discover();
          discovery = d;
        }
      }
    }
    return d;
  }

  private Discovery discover() {
    List<String> reasons = new ArrayList<>();
    Iterator<ComputeBackend> it;
    try {
      it = ServiceLoader.load(ComputeBackend.class, loader).iterator();
    } catch (Throwable t) {
      return new Discovery(null, "service lookup failed: " + oneLine(t));
    }
    for (int tries = 0; tries < MAX_PROVIDERS; tries++) {
      ComputeBackend candidate;
      try {
        if (!it.hasNext()) {
          break;
        }
        candidate = it.next();
      } catch (ServiceConfigurationError | LinkageError e) {
        reasons.add(oneLine(e)); // the iterator has moved past this provider
        continue;
      } catch (Throwable t) {
        reasons.add(oneLine(t));
        break; // an iterator that failed otherwise cannot be trusted to advance
      }
      if (candidate instanceof CpuBackend) {
        continue;
      }
      String name = candidate.getClass().getName();
      try {
        name = candidate.name();
        String reason = candidate.unavailableReason();
        if (reason == null) {
          return new Discovery(candidate, null);
        }
        reasons.add(name + ": " + reason);
      } catch (Throwable t) {
        reasons.add(name + ": " + oneLine(t));
      }
    }
    return new Discovery(null, reasons.isEmpty()
        ? "no GPU backend on the classpath (add the spark-amm-gpu jar)" : String.join("; ", reasons));
  }

  /** A throwable and its causes as one line: "Type: message <- Cause: message". */
  static String oneLine(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null && sb.length() < 500; c = c.getCause() == c ? null : c.getCause()) {
      sb.append(sb.length() == 0 ? "" : " <- ").append(c.getClass().getSimpleName());
      if (c.getMessage() != null) {
        sb.append(": ").append(c.getMessage().replaceAll("\\s+", " ").strip());
      }
    }
    return sb.toString();
  }
}
