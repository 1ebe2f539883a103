package org.sparkamm.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.error.AmmArgumentException;

/**
 * Discovery and selection ({@link Backends}) on fresh instances whose class loader sees a service
 * file the test writes, so that each test starts with nothing discovered and nothing logged.
 */
class BackendSelectionTest {
  @TempDir
  Path dir;

  /** The test class path, except that the service file lists {@code providers}. */
  private ClassLoader listing(String... providers) {
    Path file = dir.resolve("services-" + String.join("-", providers).hashCode());
    try {
      Files.write(file, List.of(providers), StandardCharsets.UTF_8);
      URL url = file.toUri().toURL();
      return new ClassLoader(getClass().getClassLoader()) {
        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
          return name.equals(Backends.SERVICE_FILE) ? Collections.enumeration(List.of(url)) : super.getResources(name);
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertOneLine(String message) {
    assertFalse(message.contains("\n") || message.contains("\r"), "not one line: " + message);
  }

  @Test
  void cpuChoiceNeverLooksUpAProvider() {
    List<String> log = new ArrayList<>();
    Backends backends = new Backends(listing(BrokenBackend.class.getName()), log::add);
    assertSame(CpuBackend.INSTANCE, backends.backendFor(BackendChoice.CPU));
    assertFalse(backends.discovered(), "CPU must not trigger discovery");
    assertTrue(log.isEmpty());
  }

  @Test
  void anAvailableProviderIsChosenPastBrokenOnes() {
    List<String> log = new ArrayList<>();
    Backends backends = new Backends(listing(BrokenBackend.class.getName(), "org.sparkamm.local.NoSuchBackend",
        CountingBackend.class.getName()), log::add);
    ComputeBackend chosen = backends.backendFor(BackendChoice.GPU_IF_AVAILABLE);
    assertEquals("counting", chosen.name());
    assertSame(chosen, backends.backendFor(BackendChoice.GPU_REQUIRED), "discovered once, the same instance");
    assertSame(CpuBackend.INSTANCE, backends.backendFor(BackendChoice.CPU));
    assertTrue(log.isEmpty(), "nothing to report when a backend is usable: " + log);
  }

  @Test
  void unavailableProviderFallsBackWithExactlyOneLogLine() {
    long before = CountingBackend.total();
    List<String> log = new ArrayList<>();
    Backends backends = new Backends(listing(CountingBackend.class.getName()), log::add);
    CountingBackend.unavailable = "no CUDA device visible (test switch)";
    try {
      for (int t = 0; t < 3; t++) {
        assertSame(CpuBackend.INSTANCE, backends.backendFor(BackendChoice.GPU_IF_AVAILABLE));
      }
    } finally {
      CountingBackend.unavailable = null;
    }
    assertEquals(1, log.size(), "one line per JVM: " + log);
    assertOneLine(log.get(0));
    assertTrue(log.get(0).contains("useCuda=1") && log.get(0).contains("counting: no CUDA device visible (test switch)"),
        log.get(0));
    // The reason was decided once: clearing the switch does not revive this instance's discovery.
    assertSame(CpuBackend.INSTANCE, backends.backendFor(BackendChoice.GPU_IF_AVAILABLE));
    AmmArgumentException e = assertThrows(AmmArgumentException.class,
        () -> backends.backendFor(BackendChoice.GPU_REQUIRED));
    assertOneLine(e.getMessage());
    assertTrue(e.getMessage().startsWith("requireGpu=1 but no GPU backend is usable in this JVM: counting: no CUDA"),
        e.getMessage());
    assertEquals(1, log.size(), "requireGpu errors, it does not log");
    assertEquals(before, CountingBackend.total(), "an unavailable backend is never called");
  }

  @Test
  void providersThatFailToLoadAreReasonsNeverErrors() {
    List<String> log = new ArrayList<>();
    Backends backends = new Backends(listing(BrokenBackend.class.getName(), "org.sparkamm.local.NoSuchBackend"),
        log::add);
    for (int t = 0; t < 3; t++) { // a second attempt must not surface NoClassDefFoundError
      assertSame(CpuBackend.INSTANCE, backends.backendFor(BackendChoice.GPU_IF_AVAILABLE));
      AmmArgumentException e = assertThrows(AmmArgumentException.class,
          () -> backends.backendFor(BackendChoice.GPU_REQUIRED));
      assertOneLine(e.getMessage());
      assertTrue(e.getMessage().contains(BrokenBackend.class.getName()), e.getMessage());
      assertTrue(e.getMessage().contains("NoSuchBackend"), e.getMessage());
    }
    String reason = backends.deviceReason();
    assertTrue(reason.contains(BrokenBackend.class.getName()) && reason.contains("NoSuchBackend"), reason);
    assertEquals(1, log.size(), "one line per JVM: " + log);
    assertOneLine(log.get(0));
    // A second discovery in the same JVM meets the class's cached failure (NoClassDefFoundError): still a reason.
    Backends again = new Backends(listing(BrokenBackend.class.getName()), s -> { });
    assertSame(CpuBackend.INSTANCE, again.backendFor(BackendChoice.GPU_IF_AVAILABLE));
    assertTrue(again.deviceReason().contains(BrokenBackend.class.getName()), again.deviceReason());
    // The CPU path is untouched.
    double[] c = Blas.multiply(new double[] {1, 2}, 1, 2, new double[] {3, 4}, 1);
    assertEquals(11.0, c[0]);
    assertSame(CpuBackend.INSTANCE, backends.backendFor(BackendChoice.CPU));
  }

  @Test
  void noProviderAtAllSaysSo() {
    Backends backends = new Backends(listing("# nothing here"), s -> { });
    assertEquals("no GPU backend on the classpath (add the spark-amm-gpu jar)", backends.deviceReason());
  }

  @Test
  void choiceFromTheFlags() {
    assertEquals(BackendChoice.CPU, BackendChoice.of(false, false));
    assertEquals(BackendChoice.GPU_IF_AVAILABLE, BackendChoice.of(true, false));
    assertEquals(BackendChoice.GPU_REQUIRED, BackendChoice.of(true, true));
    assertEquals(BackendChoice.GPU_IF_AVAILABLE, BackendChoice.GPU_REQUIRED.onDriver());
    assertEquals(BackendChoice.CPU, BackendChoice.CPU.onDriver());
  }
}
