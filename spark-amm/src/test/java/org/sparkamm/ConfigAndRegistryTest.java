package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.error.AmmFormatException;

/** LibAMM-compatible tags and configuration. */
class ConfigAndRegistryTest {
  @TempDir
  Path dir;

  @Test
  void tagsAreCaseInsensitiveAndUnknownTagsListTheValidOnes() {
    assertEquals("countSketch", Amm.create("COUNTSKETCH").tag());
    assertEquals("weighted-cr", Amm.create("Weighted-CR").tag());
    AmmArgumentException e = assertThrows(AmmArgumentException.class, () -> Amm.create("crsv3"));
    assertEquals("unknown algorithm 'crsv3'; valid tags: " + String.join(", ", Amm.tags()), e.getMessage());
    assertTrue(Amm.tags().containsAll(java.util.List.of("mm", "crs", "crsV2", "bcrs", "weighted-cr", "ews",
        "countSketch", "tugOfWar", "smp-pca", "rip", "fastjlt", "gaussian", "sjlt", "srht")), Amm.tags().toString());
    assertEquals("crsV2", Amm.create("CRSV2").tag()); // LibAMM's scripts spell it crsv2, which LibAMM does not register
    assertThrows(AmmArgumentException.class, () -> Amm.create(null));
  }

  @Test
  void readsLibAmmConfigCsv() throws IOException {
    Path csv = dir.resolve("config.csv");
    Files.writeString(csv, "key,value,type\nseed,7,U64\nalgoDelta,0.02,Double\ncppAlgoTag,crs,String\n\nshift,-3,I64\n");
    AmmConfig cfg = AmmConfig.fromFile(csv);
    assertEquals(7, cfg.getLong("seed", 0));
    assertEquals(0.02, cfg.getDouble("algoDelta", 0));
    assertEquals("crs", cfg.getString("cppAlgoTag", ""));
    assertEquals(-3, cfg.getLong("shift", 0));
    assertEquals(7, Amm.create("crs").setConfig(cfg).seed());
    assertEquals(cfg.toString(), AmmConfig.fromFile(write(cfg.toCsv())).toString());
  }

  private Path write(String text) throws IOException {
    Path p = Files.createTempFile(dir, "c", ".csv");
    Files.writeString(p, text);
    return p;
  }

  @Test
  void badConfigFilesNameTheLine() throws IOException {
    assertEquals(write("seed,-1,U64").toString().length() > 0, true);
    AmmFormatException e = assertThrows(AmmFormatException.class, () -> AmmConfig.fromFile(write("seed,-1,U64\n")));
    assertTrue(e.getMessage().endsWith(":1: value '-1' is not a valid U64"), e.getMessage());
    e = assertThrows(AmmFormatException.class, () -> AmmConfig.fromFile(write("a,1,U64\nseed,1,Float\n")));
    assertTrue(e.getMessage().endsWith(":2: unknown type 'Float' (valid: U64, I64, Double, String)"), e.getMessage());
    e = assertThrows(AmmFormatException.class, () -> AmmConfig.fromFile(write("seed 1\n")));
    assertTrue(e.getMessage().contains(":1: expected 'key,value,Type'"), e.getMessage());
    assertThrows(AmmFormatException.class, () -> AmmConfig.fromFile(dir.resolve("missing.csv")));
  }

  /** LibAMM's Python binding drops int-valued keys; here every type is found and converted or rejected. */
  @Test
  void integersAndRealsAreConvertedOrRejectedNeverIgnored() {
    AmmConfig cfg = new AmmConfig().editObject("seed", 12).editObject("ratio", 3).editObject("whole", 4.0)
        .editObject("half", 2.5).editObject("name", "x").editObject("flag", true).editObject("sketchRatio", 0.1);
    assertEquals(12, cfg.getLong("seed", 0));
    assertEquals(3.0, cfg.getDouble("ratio", 0));
    assertEquals(4, cfg.getLong("whole", 0));
    assertEquals(1, cfg.getLong("flag", 0));
    assertEquals("config key 'half' must be an integer, got 2.5",
        assertThrows(AmmArgumentException.class, () -> cfg.getLong("half", 0)).getMessage());
    assertEquals("config key 'name' must be a number, got the string 'x'",
        assertThrows(AmmArgumentException.class, () -> cfg.getDouble("name", 0)).getMessage());
    assertEquals("config key 'seed' must be a string, got the number 12",
        assertThrows(AmmArgumentException.class, () -> cfg.getString("seed", "")).getMessage());
    assertEquals("config key 'seed' must be in [0, 10], got 12",
        assertThrows(AmmArgumentException.class, () -> cfg.getLong("seed", 0, 0, 10)).getMessage());
    assertThrows(AmmArgumentException.class, () -> cfg.editObject("x", new int[0]));
    // A key nothing reads is accepted; a seed that is not an integer is refused when set.
    assertEquals(12, Amm.create("crs").setConfig(cfg).seed());
    assertThrows(AmmArgumentException.class, () -> Amm.create("crs").setConfig(new AmmConfig().edit("seed", 0.5)));
  }
}
