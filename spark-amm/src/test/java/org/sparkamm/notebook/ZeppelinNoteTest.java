package org.sparkamm.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.SharedSpark;
import scala.Tuple2;

/**
 * notebooks/spark-amm.zpln runs: every {@code %spark} paragraph, in order, in one Scala 2.13 REPL
 * session with Spark and the library on its classpath, as Zeppelin's Spark interpreter would run
 * them (see {@link ZeppelinSparkInterpreter}); a paragraph that does not compile or throws fails the
 * test with its index and the compiler's or the exception's message. The runner is shown to fail
 * that way, and the note to release everything it caches.
 */
class ZeppelinNoteTest {
  private static final Path NOTE = Path.of("..", "notebooks", "spark-amm.zpln");

  /** One session for the tests of the runner itself (a session takes seconds to start). */
  private static ZeppelinSparkInterpreter shared;
  private static final ByteArrayOutputStream SHOWN = new ByteArrayOutputStream();

  @BeforeAll
  static void startSession() {
    shared = new ZeppelinSparkInterpreter(SharedSpark.session(), new PrintStream(SHOWN, true, StandardCharsets.UTF_8));
  }

  @AfterAll
  static void closeSession() {
    shared.close();
  }

  /**
   * Runs the note's %spark paragraphs in order in {@code spark}; %md is rendered by Zeppelin, not
   * run; a note with any other interpreter is refused before anything runs.
   */
  private static void run(ZeppelinNote note, ZeppelinSparkInterpreter spark) {
    for (ZeppelinNote.Paragraph p : note.paragraphs()) {
      if (!p.interpreter().equals("spark") && !p.interpreter().equals("md")) {
        throw new AssertionError(p.label() + ": only %spark and %md paragraphs can be checked here");
      }
    }
    for (ZeppelinNote.Paragraph p : note.paragraphs()) {
      if (p.interpreter().equals("spark")) {
        spark.run(p);
      }
    }
  }

  @Test
  void theNoteRunsAndReleasesWhatItCaches() throws IOException {
    ZeppelinNote note = ZeppelinNote.read(NOTE);
    ZeppelinNote.Paragraph first = note.paragraphs().get(0);
    assertEquals("md", first.interpreter(), "the note opens with how to add the jar");
    assertTrue(first.code().contains("spark.jars"), "the first paragraph names the spark.jars setting");
    assertTrue(note.paragraphs().stream().filter(p -> p.interpreter().equals("spark")).count() >= 3,
        "the note has its %spark paragraphs");
    Set<Integer> cachedBefore = SharedSpark.cachedRddIds();
    ByteArrayOutputStream shown = new ByteArrayOutputStream();
    try (ZeppelinSparkInterpreter spark = new ZeppelinSparkInterpreter(SharedSpark.session(),
        new PrintStream(shown, true, StandardCharsets.UTF_8))) {
      run(note, spark); // a fresh session, as when a user opens the note
    }
    String table = shown.toString(StandardCharsets.UTF_8);
    System.out.print(table);
    assertTrue(table.startsWith("%table algorithm\tl\trelative error\tms\tshuffle MB\n"), table);
    assertEquals(6, table.lines().count(), "mm and four approximate algorithms: " + table);
    assertEquals(List.of(), cachedSince(cachedBefore), "the note unpersists what it cached");
  }

  /**
   * The RDDs cached now and not in {@code before} (earlier tests' RDDs may be unpersisted meanwhile
   * by Spark's ContextCleaner), except MLlib's own block-size index of a BlockMatrix (its private
   * {@code blockInfo}, pairs ((i, j), (rows, cols)): cached by {@code BlockMatrix.multiply}, out of a
   * user's reach, and unpersisted by the ContextCleaner once the matrix is garbage).
   */
  private static List<String> cachedSince(Set<Integer> before) {
    List<String> added = new ArrayList<>();
    SharedSpark.jsc().getPersistentRDDs().forEach((id, rdd) -> {
      List<?> first = before.contains(id) ? List.of() : rdd.take(1);
      boolean blockInfo = !first.isEmpty() && first.get(0) instanceof Tuple2<?, ?> entry
          && entry._2() instanceof Tuple2<?, ?> size && size._1() instanceof Integer;
      if (!before.contains(id) && !blockInfo) {
        added.add(rdd.toDebugString().lines().findFirst().orElse(""));
      }
    });
    return added;
  }

  @Test
  void aFailingParagraphFailsWithItsIndexAndMessage(@TempDir Path dir) throws IOException {
    AssertionError compile = assertThrows(AssertionError.class,
        () -> run(note(dir, "%md\n# ok", "%spark\nval six = 6 * 7", "%spark\nval m = notDefined + six"), shared));
    assertTrue(compile.getMessage().startsWith("paragraph 2 (%spark) failed: "), compile.getMessage());
    assertTrue(compile.getMessage().contains("not found: value notDefined"), compile.getMessage());

    AssertionError thrown = assertThrows(AssertionError.class,
        () -> run(note(dir, "%spark\nval amm = org.sparkamm.Amm.create(\"noSuchAlgorithm\")"), shared));
    assertTrue(thrown.getMessage().startsWith("paragraph 0 (%spark) failed: "), thrown.getMessage());
    assertTrue(thrown.getMessage().contains("AmmArgumentException")
        && thrown.getMessage().contains("noSuchAlgorithm"), thrown.getMessage());

    AssertionError open = assertThrows(AssertionError.class, () -> run(note(dir, "%spark\nval v = Seq(1,"), shared));
    assertEquals("paragraph 0 (%spark) is incomplete (unclosed bracket, string or expression)", open.getMessage());

    AssertionError other = assertThrows(AssertionError.class,
        () -> run(note(dir, "%spark\nval notRun = 1", "%sql\nselect 1"), shared));
    assertEquals("paragraph 1 (%sql): only %spark and %md paragraphs can be checked here", other.getMessage());
  }

  @Test
  void paragraphsShareOneSessionWithZeppelinsBindings(@TempDir Path dir) throws IOException {
    SHOWN.reset();
    run(note(dir, "%spark\nval count = sc.defaultParallelism + 1",
        "%spark\nz.show(spark.range(count).toDF(\"i\").withColumn(\"sq\", col(\"i\") * col(\"i\")).orderBy(\"i\"))"),
        shared);
    int n = SharedSpark.jsc().sc().defaultParallelism() + 1;
    StringBuilder expected = new StringBuilder("%table i\tsq\n");
    for (int i = 0; i < n; i++) {
      expected.append(i).append('\t').append(i * i).append('\n');
    }
    assertEquals(expected.toString(), SHOWN.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aFileThatIsNotANoteIsRefused(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("x.zpln"), "{\"name\": \"no paragraphs\"}");
    IOException e = assertThrows(IOException.class, () -> ZeppelinNote.read(file));
    assertEquals(file + " is not a Zeppelin note: no \"paragraphs\" array", e.getMessage());
  }

  /** A note of these paragraph texts, written as Zeppelin writes one and read back. */
  private static ZeppelinNote note(Path dir, String... texts) throws IOException {
    StringBuilder json = new StringBuilder("{\"paragraphs\": [");
    for (int i = 0; i < texts.length; i++) {
      json.append(i == 0 ? "" : ", ").append("{\"text\": \"")
          .append(texts[i].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
          .append("\", \"config\": {}}");
    }
    json.append("], \"name\": \"t\", \"id\": \"2TEST0000\", \"defaultInterpreterGroup\": \"spark\", \"config\": {}, \"info\": {}}");
    return ZeppelinNote.read(Files.writeString(Files.createTempFile(dir, "note", ".zpln"), json));
  }
}
