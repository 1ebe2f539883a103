package org.sparkamm.notebook;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Option;
import scala.collection.immutable.List;
import scala.collection.immutable.Nil$;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;
import scala.tools.nsc.interpreter.shell.ReplReporterImpl;

/**
 * A stand-in for Zeppelin's {@code %spark} interpreter: one Scala 2.13 REPL session
 * ({@code scala.tools.nsc.interpreter.IMain}, the class Zeppelin's Scala 2.13 Spark interpreter wraps)
 * with {@code spark}, {@code sc} and {@code z} bound and the imports Zeppelin adds
 * ({@code spark.implicits._}, {@code spark.sql}, {@code org.apache.spark.sql.functions._},
 * {@code org.apache.spark.SparkContext._}). Paragraphs run in order in the same session, each
 * compiled and run as one unit (as Zeppelin sends it).
 *
 * <p>The compiler's classpath is the test JVM's: surefire's {@code surefire.test.class.path} (its
 * {@code java.class.path} is a manifest-only jar), else {@code java.class.path}. Compiled lines are
 * loaded by a child of this class's loader, so the bound objects and the library are the test's own
 * classes. Not covered: functions defined in a paragraph and shipped to executors (an RDD
 * {@code map(_ * 2)}, a Scala UDF). Zeppelin has Spark serve the REPL's class files to executors
 * ({@code spark.repl.class.outputDir}, set before its SparkContext starts); the test JVM's shared
 * session starts without it, so such a paragraph fails here (the task cannot be deserialized:
 * ClassCastException of a SerializedLambda) although it works in Zeppelin. Library calls,
 * DataFrames and built-in functions run as in Zeppelin.
 */
final class ZeppelinSparkInterpreter implements AutoCloseable {
  private final StringWriter transcript = new StringWriter();
  private final IMain repl;

  ZeppelinSparkInterpreter(SparkSession spark, PrintStream out) {
    Settings settings = new Settings();
    settings.processArgumentString("-Yrepl-class-based");
    settings.classpath().value_$eq(System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path")));
    ReplReporterImpl reporter = new ReplReporterImpl(settings, new PrintWriter(transcript, true));
    repl = new IMain(settings, Option.apply(getClass().getClassLoader()), settings, reporter);
    bind("spark", SparkSession.class.getName(), spark);
    bind("sc", SparkContext.class.getName(), spark.sparkContext());
    bind("z", ZeppelinContextStandIn.class.getName(), new ZeppelinContextStandIn(out));
    interpret("zeppelin's imports", "import org.apache.spark.SparkContext._\nimport spark.implicits._\n"
        + "import spark.sql\nimport org.apache.spark.sql.functions._");
  }

  private void bind(String name, String type, Object value) {
    List<String> modifiers = Nil$.MODULE$.$colon$colon("@transient");
    if (repl.bind(name, type, value, modifiers) != Results.Success$.MODULE$) {
      throw new AssertionError("cannot bind " + name + ": " + transcript);
    }
  }

  /** Runs one paragraph; a compile error, an incomplete paragraph or an exception fails it. */
  void run(ZeppelinNote.Paragraph p) {
    interpret(p.label(), p.code());
  }

  private void interpret(String what, String code) {
    transcript.getBuffer().setLength(0);
    Thread thread = Thread.currentThread();
    ClassLoader saved = thread.getContextClassLoader(); // IMain makes its own loader the context one
    Results.Result result;
    try {
      result = repl.interpret(code);
    } finally {
      thread.setContextClassLoader(saved);
    }
    if (result == Results.Incomplete$.MODULE$) {
      throw new AssertionError(what + " is incomplete (unclosed bracket, string or expression)");
    }
    if (result != Results.Success$.MODULE$) {
      throw new AssertionError(what + " failed: " + transcript.toString().strip());
    }
  }

  @Override
  public void close() {
    repl.close();
  }
}
