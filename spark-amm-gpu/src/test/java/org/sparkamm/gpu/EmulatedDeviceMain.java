package org.sparkamm.gpu;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the GPU tests ({@link CudaKernelsGpuTest}'s methods named as arguments, or all of it and {@link
 * AmmWithCudaGpuTest}) in this JVM, which {@link
 * EmulatedDeviceTest} starts with the emulated driver (src/test/cuda/fake_libcuda.cpp) as {@code
 * libcuda.so.1} and {@code -Dsparkamm.gpu.emulated=true} (smaller shapes: every launch runs on the CPU,
 * a thread per CUDA thread). Prints JUnit's summary and the line {@code emulated: N tests, F failed, S
 * skipped}; exits 0 only when every test ran and passed (a skipped test means the backend did not start).
 */
public final class EmulatedDeviceMain {
  private EmulatedDeviceMain() {}

  public static void main(String[] args) {
    LauncherDiscoveryRequestBuilder builder = LauncherDiscoveryRequestBuilder.request();
    if (args.length == 0) {
      builder.selectors(selectClass(CudaKernelsGpuTest.class), selectClass(AmmWithCudaGpuTest.class));
    }
    for (String method : args) {
      builder.selectors(selectMethod(CudaKernelsGpuTest.class, method));
    }
    LauncherDiscoveryRequest request = builder.build();
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    launcher.execute(request, listener);
    TestExecutionSummary summary = listener.getSummary();
    PrintWriter out = new PrintWriter(System.out, true);
    summary.printTo(out);
    summary.printFailuresTo(out, 20);
    System.out.printf("emulated: %d tests, %d failed, %d skipped%n", summary.getTestsFoundCount(),
        summary.getTotalFailureCount(), summary.getTestsSkippedCount() + summary.getTestsAbortedCount());
    boolean ok = summary.getTestsFoundCount() > 0 && summary.getTotalFailureCount() == 0
        && summary.getTestsSkippedCount() == 0 && summary.getTestsAbortedCount() == 0;
    System.exit(ok ? 0 : 1);
  }
}
