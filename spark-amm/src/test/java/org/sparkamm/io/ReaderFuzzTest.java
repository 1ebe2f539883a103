package org.sparkamm.io;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.NpyTest;
import org.sparkamm.error.AmmFormatException;

/**
 * A seeded mutation fuzzer over every reader: valid seed files are corrupted (bytes flipped or
 * overwritten with extreme values, truncated, extended) and read back. Each read must either
 * succeed or fail with the library's one-line {@link AmmFormatException}: any other exception or
 * error (an out-of-memory from trusting a header, an index out of bounds) fails the test with the
 * seed that reproduces it. 400 mutants per format keep the run to a few seconds.
 */
class ReaderFuzzTest {
  private static final int MUTANTS = 400;

  @TempDir
  Path dir;

  private static byte[] mutate(byte[] seed, Random r) {
    byte[] b = seed.clone();
    switch (r.nextInt(5)) {
      case 0: // flip a few bytes
        for (int k = 1 + r.nextInt(8); k > 0; k--) {
          b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
        }
        return b;
      case 1: // extreme value over 4 bytes (header fields)
        int at = r.nextInt(Math.max(1, b.length - 4));
        byte fill = r.nextBoolean() ? (byte) 0xff : (byte) 0x7f;
        Arrays.fill(b, at, Math.min(b.length, at + 4), fill);
        return b;
      case 2: // truncate
        return Arrays.copyOf(b, r.nextInt(b.length));
      case 3: // extend with garbage
        byte[] longer = Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
        for (int i = b.length; i < longer.length; i++) {
          longer[i] = (byte) r.nextInt(256);
        }
        return longer;
      default: // digits and text edits for text formats
        for (int k = 1 + r.nextInt(4); k > 0; k--) {
          b[r.nextInt(b.length)] = (byte) "0123456789 -.e%\n9".charAt(r.nextInt(17));
        }
        return b;
    }
  }

  private void fuzz(String name, byte[] seed) throws IOException {
    fuzz(name, seed, name.endsWith(".npz") ? "A" : name.endsWith(".pt") ? "prototypes" : null);
  }

  private void fuzz(String name, byte[] seed, String key) throws IOException {
    Path file = dir.resolve(name);
    for (int i = 0; i < MUTANTS; i++) {
      Random r = new Random(i * 7919L + name.hashCode());
      Files.write(file, mutate(seed, r));
      try {
        MatrixFiles.read(file, key);
      } catch (AmmFormatException expected) {
        if (expected.getMessage().contains("\n")) {
          fail(name + " mutant " + i + ": multi-line message " + expected.getMessage());
        }
      } catch (Throwable t) {
        fail(name + " mutant " + i + " (seed " + (i * 7919L + name.hashCode()) + ") threw " + t, t);
      }
    }
  }

  @Test
  void everyReaderFailsCleanly() throws IOException {
    fuzz("x.npy", NpyTest.npy(1, "<f8", false, "2, 3", NpyTest.doubles(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6)));
    fuzz("x.mtx", ("%%MatrixMarket matrix coordinate real symmetric\n% c\n4 4 3\n1 1 2.5\n2 1 1e-3\n4 3 7\n")
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    fuzz("y.mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    fuzz("x.idx", FormatsTest.idx(0x0D, new int[] {3, 2, 2}, new byte[48]));
    fuzz("x.fvecs", FormatsTest.fvecs(new float[][] {{1, 2}, {3, 4}, {5, 6}}));
    fuzz("x.npz", Files.readAllBytes(Path.of("..", "data", "samples", "m_pair.npz")));
    for (String fixture : List.of("prototypes.pt", "pq_prototypes.pt")) {
      fuzz(fixture, Files.readAllBytes(TorchFileTest.FIXTURES.resolve(fixture)));
    }
    fuzz("legacy.pt", TorchLayoutsTest.legacyBytes(7), "w");
    fuzz("small.mtx.gz", Files.readAllBytes(ThirdPartyFilesTest.THIRD_PARTY.resolve("small.mtx.gz")));
    for (String numpy : List.of("bool.npy", "structured.npy", "datetime.npy", "arange_2x3x4_f4.npy")) {
      fuzz(numpy, Files.readAllBytes(ThirdPartyFilesTest.THIRD_PARTY.resolve(numpy)));
    }
  }
}
