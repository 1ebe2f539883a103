package org.sparkamm.local;

/**
 * Which {@link ComputeBackend} the dense local products of a multiply run on, as the user asked
 * (LibAMM's {@code useCuda} and spark-amm's {@code requireGpu} keys). A choice, not a backend: it is
 * what travels to Spark executors inside the task closures (an enum, a few bytes), and each JVM
 * resolves it to its own backend ({@link Backends#resolve}), so that executors with a GPU use it
 * whatever the driver has.
 */
public enum BackendChoice {
  /** netlib BLAS ({@link CpuBackend}); no provider is looked up. The default ({@code useCuda=0}). */
  CPU,
  /** A device backend found on the classpath when one is usable in this JVM, else the CPU with one logged line. */
  GPU_IF_AVAILABLE,
  /** A device backend, or a one-line {@code AmmArgumentException} naming why none is usable. */
  GPU_REQUIRED;

  /** From the keys {@code useCuda} and {@code requireGpu} (each 0 or 1, checked by the caller). */
  public static BackendChoice of(boolean useCuda, boolean requireGpu) {
    return !useCuda ? CPU : requireGpu ? GPU_REQUIRED : GPU_IF_AVAILABLE;
  }

  /** This JVM's backend for this choice: {@code Backends.resolve(this)}. */
  public ComputeBackend backend() {
    return Backends.resolve(this);
  }

  /**
   * The choice for the few products a Spark engine computes on the driver after its tasks (the
   * reduced product of a row-aligned multiply): {@code requireGpu} is about the executors, where the
   * bulk of the work runs, so a driver without a GPU falls back (one logged line) instead of
   * failing a job whose tasks have already run on GPUs.
   */
  public BackendChoice onDriver() {
    return this == GPU_REQUIRED ? GPU_IF_AVAILABLE : this;
  }
}
