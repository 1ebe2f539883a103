package org.sparkamm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * checks; every kernel's results against the CPU backend. The stand-ins check the hardware's grid
 * limits and cuBLAS's leading-dimension rules. Twice: with fake_libcublas.cpp as {@code libcublas.so.12}
 * too (all tests: every kernel, and cuBLAS as the default GEMM), and with cuBLAS switched off
 * ({@code -Dsparkamm.gpu.cublas=false}: the tests whose GEMM is the default, now the module's own
 * kernel). Linux x86-64 only (JCuda's natives), and g++ with C++20. What it cannot check is the hardware: the PTX as the driver compiles it,
 * cuBLAS itself, timing, concurrency on the device.
 */
class EmulatedDeviceTest {
  @Test
  void theGpuTestsPassOnTheEmulatedDevice(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"),
        "the stand-in libraries are ELF shared objects for JCuda's linux-x86_64 natives");
    Assumptions.assumeTrue(PtxTest.onPath("g++"), "g++ is not on PATH");
    Path cuda = Files.createDirectory(dir.resolve("cuda"));
    Path cudaAndCublas = Files.createDirectory(dir.resolve("cuda-cublas"));
    Path sources = Path.of(System.getProperty("sparkamm.gpu.moduleDir", System.getProperty("user.dir"))).resolve("src/test/cuda");
    compile(List.of("-pthread", "-ffp-contract=off", "-o", cuda.resolve("libcuda.so.1").toString(),
        sources.resolve("fake_libcuda.cpp").toString()));
    Files.copy(cuda.resolve("libcuda.so.1"), cudaAndCublas.resolve("libcuda.so.1"));
    compile(List.of("-Wl,-soname,libcublas.so.12", "-Wl,--version-script=" + sources.resolve("fake_libcublas.map"),
        "-o", cudaAndCublas.resolve("libcublas.so.12").toString(), sources.resolve("fake_libcublas.cpp").toString()));

    String withCublas = emulate(dir, cudaAndCublas, "-Dsparkamm.gpu.cublas=true");
    assertTrue(withCublas.contains("; cuBLAS") && withCublas.contains("checked CUBLAS"), withCublas);
    // without cuBLAS: switched off, so that a real CUDA 12 cuBLAS elsewhere on the library path stays out
    String withoutCublas = emulate(dir, cuda, "-Dsparkamm.gpu.cublas=false", "sgemmMatchesTheCpu", "dgemmSumMatchesTheCpu",
        "sketchProductsMatchTheCpu", "deviceGeneratedColumnsAreTheCpus", "concurrentCallsFromManyThreads");
    assertTrue(withoutCublas.contains("no cuBLAS: off"), withoutCublas);
  }

  private static void compile(List<String> arguments) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("g++", "-std=c++20", "-O1", "-shared", "-fPIC"));
    command.addAll(arguments);
    run(command, null);
  }

  /**
   * Runs the GPU tests (all, or the named methods) in a JVM whose libcuda.so.1 (and libcublas.so.12)
   * come from {@code libraries}, with the system property {@code cublas} ({@code -Dsparkamm.gpu.cublas=...}).
   */
  private static String emulate(Path dir, Path libraries, String cublas, String... methods) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx1g", "-Djava.io.tmpdir=" + libraries, "-Dsparkamm.gpu.emulated=true", cublas, "-cp",
        System.getProperty("java.class.path"), EmulatedDeviceMain.class.getName()));
    command.addAll(List.of(methods));
    String output = run(command, libraries.toString());
    System.out.print(output);
    assertTrue(output.contains("emulated: ") && output.contains(" 0 failed, 0 skipped"), output);
    return output;
  }

  private static String run(List<String> command, String libraryPath) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (libraryPath != null) {
      String current = System.getenv("LD_LIBRARY_PATH");
      builder.environment().put("LD_LIBRARY_PATH", libraryPath + (current == null ? "" : File.pathSeparator + current));
    }
    Process p = builder.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + output);
    return output;
  }
}
