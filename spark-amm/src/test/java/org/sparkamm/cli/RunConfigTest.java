package org.sparkamm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.loader.MatrixLoaders;

/** The keys a configuration was asked for: how the command line tells which keys nothing read. */
class RunConfigTest {
  @Test
  void aConfigRecordsTheKeysItWasAskedFor() {
    AmmConfig cfg = new AmmConfig().edit("aRow", 3L).edit("foo", "x");
    assertEquals(Set.of(), cfg.keysRead());
    cfg.getLong("aRow", 1);
    cfg.getDouble("absent", 0.5);
    cfg.contains("asked");
    assertEquals(List.of("aRow", "absent", "asked"), List.copyOf(cfg.keysRead()));
    assertEquals(Set.of(), new AmmConfig(cfg).keysRead(), "a copy starts with no key read");
    cfg.toCsv();
    cfg.keys();
    assertEquals(3, cfg.keysRead().size(), "listing the keys reads none of them");
  }

  @Test
  void aLoaderReadsItsOwnKeysOnly() {
    AmmConfig cfg = new AmmConfig().edit("aRow", 3L).edit("aCol", 4L).edit("bCol", 2L).edit("sigmaA", 2.0)
        .edit("algoDelta", 0.1);
    MatrixLoaders.create("gaussian").setConfig(cfg);
    Set<String> read = cfg.keysRead();
    assertTrue(read.containsAll(Set.of("aRow", "aCol", "bCol", "sigmaA", "seed")), read.toString());
    assertFalse(read.contains("algoDelta"), read.toString());
  }
}
