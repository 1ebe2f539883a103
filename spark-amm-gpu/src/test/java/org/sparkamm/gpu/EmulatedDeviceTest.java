package org.sparkamm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU tests on an emulated device, where no GPU is: src/test/cuda/fake_libcuda.cpp, compiled by g++
 * (skipped without it) into a {@code libcuda.so.1} that implements the driver calls the backend makes
 * over host memory and runs each launch on the CPU emulation of the module's kernels, is put first on
 * {@code LD_LIBRARY_PATH} of a fresh JVM ({@link EmulatedDeviceMain}), where JCuda's driver binding
 * loads it as the NVIDIA driver. So {@link CudaKernelsGpuTest} runs end to end here: CudaRuntime's
 * start-up, CudaDevice's staging layouts, kernel arguments and grids, the chunk loops, CudaBackend's
 * checks; every kernel's results against the CPU backend. What it cannot check is the hardware: the
 * PTX as the driver compiles it, timing, concurrency on the device.
 */
class EmulatedDeviceTest {
  @Test
  void theGpuTestsPassOnTheEmulatedDevice(@TempDir Path dir) throws Exception {
    String path = System.getenv("PATH");
    Assumptions.assumeTrue(path != null && List.of(path.split(File.pathSeparator)).stream()
        .anyMatch(d -> Files.isExecutable(Path.of(d, "g++"))), "g++ is not on PATH");
    Path module = Path.of(System.getProperty("sparkamm.gpu.moduleDir", System.getProperty("user.dir")));
    Path library = dir.resolve("libcuda.so.1");
    assertEquals("", run(dir, List.of("g++", "-std=c++20", "-O1", "-pthread", "-ffp-contract=off", "-shared", "-fPIC",
        "-o", library.toString(), module.resolve("src/test/cuda/fake_libcuda.cpp").toString()), null));
    String java = ProcessHandle.current().info().command().orElse("java");
    String output = run(dir, List.of(java, "-Xmx1g", "-Djava.io.tmpdir=" + dir, "-Dsparkamm.gpu.emulated=true",
        "-cp", System.getProperty("java.class.path"), EmulatedDeviceMain.class.getName()), dir.toString());
    System.out.print(output);
    assertTrue(output.contains("emulated: ") && output.contains(" 0 failed, 0 skipped"), output);
  }

  private static String run(Path dir, List<String> command, String libraryPath) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    if (libraryPath != null) {
      String current = System.getenv("LD_LIBRARY_PATH");
      builder.environment().put("LD_LIBRARY_PATH", libraryPath + (current == null ? "" : File.pathSeparator + current));
    }
    Process p = builder.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "timed out: " + command);
    assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + output);
    return output;
  }
}
