package org.sparkamm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed PTX against the CUDA sources, where the CUDA toolkit is on PATH (skipped elsewhere,
 * so CI needs no nvcc): it assembles for sm_90 with ptxas (registers, spills and shared memory
 * printed), and regen-ptx.sh, run now with the same nvcc release as the committed header names,
 * reproduces it byte for byte (a .cu edited without regenerating fails here).
 */
class PtxTest {
  private static final Path MODULE = Path.of(System.getProperty("sparkamm.gpu.moduleDir", System.getProperty("user.dir")));
  private static final Path RESOURCES = MODULE.resolve("src/main/resources/org/sparkamm/gpu");

  /** Whether an executable {@code tool} is on PATH (the module's tests that compile CUDA or C++ skip without it). */
  static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    return path != null && List.of(path.split(File.pathSeparator)).stream().anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
  }

  private static String run(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + " failed:\n" + output);
    return output;
  }

  @Test
  void committedPtxAssemblesForSm90() throws Exception {
    Assumptions.assumeTrue(onPath("ptxas"), "ptxas is not on PATH");
    for (String module : CudaRuntime.MODULES) {
      String report = run(MODULE, "ptxas", "-arch=sm_90", "-v", RESOURCES.resolve(module).toString(), "-o", "/dev/null");
      System.out.println("ptxas -arch=sm_90 " + module + ":\n" + report);
      assertTrue(report.contains("Used"), report);
    }
  }

  @Test
  void committedPtxIsWhatRegenPtxProducesNow(@TempDir Path out) throws Exception {
    Assumptions.assumeTrue(onPath("nvcc"), "nvcc is not on PATH");
    run(MODULE, MODULE.resolve("regen-ptx.sh").toString(), out.toString());
    for (String module : CudaRuntime.MODULES) {
      String committed = Files.readString(RESOURCES.resolve(module));
      String fresh = Files.readString(out.resolve(module));
      Assumptions.assumeTrue(header(committed).equals(header(fresh)),
          "nvcc differs from the committed PTX's: " + header(fresh) + " vs " + header(committed));
      assertEquals(committed, fresh, module + " is stale: run spark-amm-gpu/regen-ptx.sh and commit the result");
    }
  }

  /** The "Cuda compilation tools, release ..." line of a PTX file's header. */
  private static String header(String ptx) {
    return ptx.lines().filter(l -> l.contains("Cuda compilation tools")).findFirst().orElse("");
  }
}
