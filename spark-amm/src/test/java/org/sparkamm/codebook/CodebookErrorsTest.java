package org.sparkamm.codebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.Amm;
import org.sparkamm.TestMatrices;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.error.AmmException;
import org.sparkamm.error.AmmFormatException;

/** Every bad input of the codebook methods gets one line naming the problem. */
class CodebookErrorsTest {
  private static final DenseMatrix A = TestMatrices.gaussian(40, 20, 31);
  private static final DenseMatrix B = TestMatrices.gaussian(20, 30, 32);

  @TempDir
  Path dir;

  private static <E extends AmmException> void fails(Class<E> type, String fragment, Executable call) {
    E e = assertThrows(type, call);
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  private static AmmConfig cfg(String key, String value) {
    return new AmmConfig().edit(key, value);
  }

  @Test
  void aMethodWithoutACodebookSaysHowToGetOne() {
    fails(AmmArgumentException.class, "pq-raw needs a codebook: set codebookPath=... or prototypesLoadPath=..., "
        + "or train one with Amm.train or 'spark-amm train-codebooks --algo pq-raw'",
        () -> Amm.create("pq-raw").multiply(A, B, 5));
    fails(AmmArgumentException.class, "pq-hash needs a codebook: set codebookPath=... or prototypesLoadPath=... with "
        + "hashLoadPath=...", () -> Amm.create("pq-hash").multiply(A, B, 5));
    for (String tag : new String[] {"vq", "pq"}) {
      fails(AmmArgumentException.class, tag + " needs a codebook: set codebookPath=... or pqvqCodewordLookUpTablePath=...",
          () -> Amm.create(tag).multiply(A, B, 5));
    }
  }

  @Test
  void aCodebookForAnotherInnerDimensionOrMethodIsRefused() {
    Codebook raw = Amm.create("pq-raw").train(A, null, 4);
    fails(AmmArgumentException.class, "pq-raw: the codebook splits an inner dimension of 20 into 4 subspaces, but the "
        + "product's inner dimension is 21",
        () -> Amm.create("pq-raw").setCodebook(raw).multiply(TestMatrices.gaussian(3, 21, 1), TestMatrices.gaussian(21, 2, 2), 4));
    fails(AmmArgumentException.class, "pq-hash needs a codebook with hash trees (pq-hash's); this codebook was made by pq-raw",
        () -> Amm.create("pq-hash").setCodebook(raw));
    fails(AmmArgumentException.class, "vq needs codewords for both A and B (vq's or pq's); this codebook was made by pq-raw",
        () -> Amm.create("vq").setCodebook(raw));
    Codebook vq = Amm.create("vq").train(A, B, 4);
    fails(AmmArgumentException.class, "pq-raw needs a codebook of A's prototypes (pq-raw's or pq-hash's); this codebook "
        + "was made by vq", () -> Amm.create("pq-raw").setCodebook(vq));
    Path file = dir.resolve("vq.npz");
    vq.save(file);
    fails(AmmArgumentException.class, "this codebook was made by vq",
        () -> Amm.create("pq-hash").setConfig(cfg("codebookPath", file.toString())));
    fails(AmmArgumentException.class, "mm multiplies without a codebook", () -> Amm.create("mm").setCodebook(vq));
    String protos = LibAmmFixtures.dir().resolve("prototypes.pt").toString();
    fails(AmmArgumentException.class, "pq-raw: LibAMM's codebook has 10 subspaces of width 100, which fits inner "
        + "dimensions 1000 to 1009 (width = n / C), but the product's inner dimension is 20",
        () -> Amm.create("pq-raw").setConfig(cfg("prototypesLoadPath", protos)).multiply(A, B, 1));
  }

  @Test
  void configurationMistakesAreNamed() {
    String protos = LibAmmFixtures.dir().resolve("pq_prototypes.pt").toString();
    fails(AmmArgumentException.class, "pq-raw: set codebookPath or prototypesLoadPath, not both",
        () -> Amm.create("pq-raw").setConfig(cfg("prototypesLoadPath", protos).edit("codebookPath", "x.npz")));
    fails(AmmArgumentException.class, "pq-hash reads LibAMM's prototypesLoadPath and hashLoadPath together; hashLoadPath is missing",
        () -> Amm.create("pq-hash").setConfig(cfg("prototypesLoadPath", protos)));
    fails(AmmFormatException.class, "missing.npz: no such file",
        () -> Amm.create("vq").setConfig(cfg("codebookPath", dir.resolve("missing.npz").toString())));
    fails(AmmFormatException.class, "nothing.pt: no such file",
        () -> Amm.create("pq-raw").setConfig(cfg("prototypesLoadPath", dir.resolve("nothing.pt").toString())));
    fails(AmmArgumentException.class, "config key 'C' must be in [1, 1048576], got 0",
        () -> Amm.create("pq").setConfig(new AmmConfig().edit("C", 0L)));
    fails(AmmArgumentException.class, "config key 'trainingRows' must be in [1, 2147483647], got 0",
        () -> Amm.create("pq-raw").setConfig(new AmmConfig().edit("trainingRows", 0L)));
    fails(AmmArgumentException.class, "config key 'codewordRatio' must be in (0, 1], got 0.0",
        () -> Amm.create("vq").setConfig(new AmmConfig().edit("codewordRatio", 0.0)));
    fails(AmmArgumentException.class, "config key 'lA' must be in [0, 1048576], got -1",
        () -> Amm.create("pq").setConfig(new AmmConfig().edit("lA", -1L)));
  }

  @Test
  void trainingMistakesAreNamed() {
    fails(AmmArgumentException.class, "mm has nothing to train; train applies to the codebook methods: pq-raw, pq-hash, vq, pq",
        () -> Amm.create("mm").train(A, B, 5));
    fails(AmmArgumentException.class, "vq trains codewords for both operands: give a training B as well as A",
        () -> Amm.create("vq").train(A, null, 5));
    fails(AmmArgumentException.class, "inner dimensions differ: training A is 40x20, training B is 30x20",
        () -> Amm.create("pq").train(A, B.transpose(), 5));
    fails(AmmArgumentException.class, "pq-hash: C = 30 subspaces need an inner dimension of at least 30, got 20",
        () -> Amm.create("pq-hash").setConfig(new AmmConfig().edit("C", 30L)).train(A, null, 5));
    fails(AmmArgumentException.class, "sketch size must be at least 1, got 0", () -> Amm.create("pq-raw").train(A, null, 0));
    fails(AmmArgumentException.class, "vq: 50 codewords per subspace need at least as many training vectors, the sample has 40",
        () -> Amm.create("vq").setConfig(new AmmConfig().edit("lA", 50L)).train(A, B, 5));
    double[] nan = A.values().clone();
    nan[5] = Double.NaN;
    fails(AmmArgumentException.class, "A (40x20) contains NaN or infinite values",
        () -> Amm.create("pq-raw").train(new DenseMatrix(40, 20, nan), null, 5));
  }

  /** The members of a valid codebook file, to corrupt one at a time. */
  private Map<String, byte[]> members(Codebook cb) throws IOException {
    Path file = dir.resolve("valid.npz");
    cb.save(file);
    Map<String, byte[]> m = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(file.toFile())) {
      for (ZipEntry e : java.util.Collections.list(z.entries())) {
        m.put(e.getName().replace(".npy", ""), z.getInputStream(e).readAllBytes());
      }
    }
    return m;
  }

  private Path npz(Map<String, byte[]> members, String name) throws IOException {
    Path file = dir.resolve(name);
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
      for (Map.Entry<String, byte[]> e : members.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return file;
  }

  /** A version 1.0 .npy member. */
  private static byte[] npy(String descr, String shape, byte[] data) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int len = (dict.length() + 11 + 63) / 64 * 64 - 10;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) len, (byte) (len >> 8)});
    out.writeBytes((dict + " ".repeat(len - dict.length() - 1) + "\n").getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data);
    return out.toByteArray();
  }

  private static byte[] longs(long... v) {
    ByteBuffer bb = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long x : v) {
      bb.putLong(x);
    }
    return bb.array();
  }

  private static byte[] text(String s) {
    ByteBuffer bb = ByteBuffer.allocate(4 * s.length()).order(ByteOrder.LITTLE_ENDIAN);
    s.codePoints().forEach(bb::putInt);
    return bb.array();
  }

  private void corrupt(Map<String, byte[]> valid, String member, byte[] replacement, String fragment) throws IOException {
    Map<String, byte[]> m = new LinkedHashMap<>(valid);
    if (replacement == null) {
      m.remove(member);
    } else {
      m.put(member, replacement);
    }
    Path file = npz(m, "bad-" + member + ".npz");
    fails(AmmFormatException.class, fragment, () -> Codebook.load(file));
    AmmFormatException e = assertThrows(AmmFormatException.class, () -> Codebook.load(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
  }

  @Test
  void corruptCodebookFilesAreRefusedWithOneLine() throws IOException {
    Codebook hashed = Amm.create("pq-hash").setConfig(new AmmConfig().edit("C", 4L)).train(A, null, 5);
    Map<String, byte[]> valid = members(hashed);
    assertEquals(hashed, Codebook.load(npz(valid, "rezipped.npz"))); // deflated members read as well
    corrupt(valid, "tag", null, "no array named 'tag' (not a complete codebook file)");
    corrupt(valid, "format", npy("<U5", "()", text("other")), "not a spark-amm codebook (format 'other')");
    corrupt(valid, "version", npy("<i8", "()", longs(2)), "codebook format version 2 is not supported");
    corrupt(valid, "tag", npy("<U3", "()", text("crs")), "unknown codebook tag 'crs'");
    corrupt(valid, "offsets", npy("<i8", "(5,)", longs(0, 5, 5, 15, 20)), "subspace offsets must increase strictly");
    corrupt(valid, "offsets", npy("<i8", "(3,)", longs(0, 10, 20)), "[prototypes_a]: shape [4, 16, 5] does not match the offsets");
    corrupt(valid, "inner", npy("<i8", "()", longs(21)), "the subspaces cover 20 inner indices, but the codebook says its inner dimension is 21");
    corrupt(valid, "prototypes_a", npy("<f8", "(4, 16, 5)", new byte[100]), "needs 2560 data bytes, the member holds 100");
    corrupt(valid, "prototypes_a", npy(">f8", "(4, 16, 5)", new byte[2560]), "unsupported dtype '>f8'");
    corrupt(valid, "prototypes_a", npy("<f8", "(4, 16, 5)", nanAt(2560, 17)), "[prototypes_a]: holds NaN or infinite values (first at flat index 17)");
    corrupt(valid, "hash_dims", npy("<i8", "(4, 4)", longs(0, 1, 2, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        "[hash_dims]: subspace 0 compares coordinate 5, outside its width 5");
    corrupt(valid, "hash_thresholds", npy("<f8", "(4, 15)", new byte[480]), "[hash_thresholds]: shape [4, 15], expected [4, 16]");
    corrupt(valid, "seed", npy("<f8", "()", new byte[8]), "[seed]: expected integers");
    corrupt(valid, "prototypes_a", "garbage".getBytes(StandardCharsets.US_ASCII), "[prototypes_a]: not a .npy array (bad magic number)");
    Path text = dir.resolve("text.npz");
    Files.writeString(text, "not a zip");
    fails(AmmFormatException.class, "text.npz: not a codebook file", () -> Codebook.load(text));
  }

  private static byte[] nanAt(int bytes, int index) {
    ByteBuffer bb = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    bb.putDouble(8 * index, Double.NaN);
    return bb.array();
  }

  @Test
  void badLibAmmFilesAreRefusedWithOneLine() throws IOException {
    String protos = LibAmmFixtures.dir().resolve("pq_prototypes.pt").toString();
    Path hash = dir.resolve("hash.pt");
    new LibAmmFixtures.Module().ints("split_indices", new long[] {4}, 1, 2, 10, 0)
        .floats("v1", new long[] {1, 1}, 0).floats("v2", new long[] {1, 2}, 0, 0)
        .floats("v3", new long[] {1, 4}, 0, 0, 0, 0).floats("v4", new long[] {1, 8}, new double[8]).write(hash);
    fails(AmmFormatException.class, "hash.pt: split index 10.0 of level 3 is not a coordinate of a sub-vector of width 10",
        () -> Amm.create("pq-hash").setConfig(cfg("prototypesLoadPath", protos).edit("hashLoadPath", hash.toString())));
    Path short4 = dir.resolve("short.pt");
    new LibAmmFixtures.Module().ints("split_indices", new long[] {4}, 1, 2, 3, 0)
        .floats("v1", new long[] {1, 1}, 0).floats("v2", new long[] {1, 2}, 0, 0)
        .floats("v3", new long[] {1, 4}, 0, 0, 0, 0).floats("v4", new long[] {1, 4}, 0, 0, 0, 0).write(short4);
    fails(AmmFormatException.class, "short.pt: v4 holds 4 thresholds, level 4 has 8 nodes",
        () -> Amm.create("pq-hash").setConfig(cfg("prototypesLoadPath", protos).edit("hashLoadPath", short4.toString())));
    Path noTensor = dir.resolve("nothing_m1.pth");
    new LibAmmFixtures.Module().floats("codewordsA", new long[] {1, 2, 3}, new double[6]).write(noTensor);
    fails(AmmFormatException.class, "nothing_m1.pth: no tensor named 'codewordsB'; tensors: codewordsA",
        () -> Amm.create("vq").setConfig(cfg("pqvqCodewordLookUpTablePath", noTensor.toString())));
    Path misnamed = dir.resolve("toy_m10_lA2_lB2.pth");
    new LibAmmFixtures.Module().floats("codewordsA", new long[] {1, 2, 3}, new double[6])
        .floats("codewordsB", new long[] {1, 2, 3}, new double[6]).floats("lookUpTable", new long[] {1, 2, 2}, new double[4])
        .write(misnamed);
    fails(AmmFormatException.class, "the file name says m = 10 subspaces, its codewordsA has 1",
        () -> Amm.create("pq").setConfig(cfg("pqvqCodewordLookUpTablePath", misnamed.toString())));
    Path widths = dir.resolve("w_m1.pth");
    new LibAmmFixtures.Module().floats("codewordsA", new long[] {1, 2, 3}, new double[6])
        .floats("codewordsB", new long[] {1, 2, 4}, new double[8]).floats("lookUpTable", new long[] {1, 2, 2}, new double[4])
        .write(widths);
    fails(AmmFormatException.class, "codewordsA is [1, 2, 3] and codewordsB [1, 2, 4]; they need the same m and sub-vector width",
        () -> Amm.create("vq").setConfig(cfg("pqvqCodewordLookUpTablePath", widths.toString())));
    Path table = dir.resolve("t_m1.pth");
    new LibAmmFixtures.Module().floats("codewordsA", new long[] {1, 2, 3}, new double[6])
        .floats("codewordsB", new long[] {1, 2, 3}, new double[6]).floats("lookUpTable", new long[] {1, 2, 3}, new double[6])
        .write(table);
    fails(AmmFormatException.class, "lookUpTable is [1, 2, 3], expected [1, 2, 2]",
        () -> Amm.create("vq").setConfig(cfg("pqvqCodewordLookUpTablePath", table.toString())));
    Path flat = dir.resolve("flat.pt");
    new LibAmmFixtures.Module().floats("prototypes", new long[] {16, 10}, new double[160]).write(flat);
    fails(AmmFormatException.class, "flat.pt: tensor 'prototypes' has shape [16, 10], expected 3 dimensions",
        () -> Amm.create("pq-raw").setConfig(cfg("prototypesLoadPath", flat.toString())));
  }
}
