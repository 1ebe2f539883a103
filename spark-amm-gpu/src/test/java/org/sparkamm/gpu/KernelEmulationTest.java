package org.sparkamm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA kernels' own source, compiled for the CPU by g++ with src/test/cuda/emulate.cpp (one
 * std::thread per CUDA thread, the DMMA fragment exchange emulated with the PTX ISA's layout) and run
 * against exact products: every GEMM kernel on ragged 2 x 2-tile shapes with all four transposes,
 * offsets, leading dimensions and alpha/beta (beta = 0 with NaN in C), the scatter bit-identical to
 * the CPU loop. Checks the kernels' index arithmetic where no GPU is (skipped without g++); the GPU
 * tests check the rest.
 */
class KernelEmulationTest {
  private static final Path MODULE = Path.of(System.getProperty("sparkamm.gpu.moduleDir", System.getProperty("user.dir")));

  @Test
  void kernelsComputeTheExactProductsOnTheEmulator(@TempDir Path dir) throws Exception {
    String path = System.getenv("PATH");
    Assumptions.assumeTrue(path != null && List.of(path.split(File.pathSeparator)).stream()
        .anyMatch(d -> Files.isExecutable(Path.of(d, "g++"))), "g++ is not on PATH");
    Path binary = dir.resolve("emulate");
    assertEquals("", run("g++", "-std=c++20", "-O1", "-pthread", "-ffp-contract=off",
        MODULE.resolve("src/test/cuda/emulate.cpp").toString(), "-o", binary.toString()));
    System.out.print(run(binary.toString()));
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + output);
    return output;
  }
}
