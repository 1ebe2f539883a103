"""Starting (or attaching to) the JVM that runs spark-amm, with the project's jars.

The classpath is, in order of preference: ``SPARK_AMM_CLASSPATH`` (an explicit classpath), or the
jar built in this checkout (``spark-amm/target``) plus the Spark classpath Maven wrote beside it.
A missing or stale jar is built with Maven first, as ``bin/spark-amm`` does. The JVM heap is
``SPARK_AMM_HEAP`` (default 4g).
"""
import atexit
import os
import subprocess
import sys

import jpype
import jpype.imports  # noqa: F401  (makes "from org... import" work)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TARGET = os.path.join(ROOT, "spark-amm", "target")
JAR = os.path.join(TARGET, "spark-amm-0.1.0-SNAPSHOT.jar")
CLASSPATH_FILE = os.path.join(TARGET, "classpath.txt")

# Spark's own launcher flags (org.apache.spark.launcher.JavaModuleOptions) for Java 17.
SPARK_FLAGS = [
    "-XX:+IgnoreUnrecognizedVMOptions",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
    "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
    "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
    "-Djdk.reflect.useDirectMethodHandle=false",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "--enable-native-access=ALL-UNNAMED",
]


def _stale():
    if not (os.path.exists(JAR) and os.path.exists(CLASSPATH_FILE)):
        return True
    built = os.path.getmtime(JAR)
    for top in (os.path.join(ROOT, "spark-amm", "src", "main"),):
        for folder, _, files in os.walk(top):
            for f in files:
                if os.path.getmtime(os.path.join(folder, f)) > built:
                    return True
    return False


def _classpath():
    explicit = os.environ.get("SPARK_AMM_CLASSPATH")
    if explicit:
        return explicit.split(os.pathsep)
    if _stale():
        print("spark_amm: building the jar (mvn package)...", file=sys.stderr)
        subprocess.run(["mvn", "-B", "-q", "-Dstyle.color=never", "-DskipTests", "package", "-pl", "spark-amm", "-am"],
                       cwd=ROOT, check=True, stdout=sys.stderr)
    with open(CLASSPATH_FILE) as f:
        deps = f.read().strip().split(os.pathsep)
    return [JAR] + deps


def ensure_jvm():
    """Starts the JVM once per process; a JVM already started (by JPype elsewhere) is reused."""
    if jpype.isJVMStarted():
        return
    classpath = _classpath()
    # Debian's JPype 1.4.1 needs its own support jar on the classpath explicitly.
    support = "/usr/share/java/org.jpype.jar"
    if os.path.exists(support):
        classpath = [support] + classpath
    log4j = os.path.join(ROOT, "bin", "log4j2-cli.properties")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    jpype.startJVM(jpype.getDefaultJVMPath(), "-Xmx" + os.environ.get("SPARK_AMM_HEAP", "4g"),
                   "-Dlog4j2.configurationFile=" + log4j, *SPARK_FLAGS,
                   classpath=classpath, convertStrings=True)
    atexit.register(_shutdown)


def _shutdown():
    """Stops Spark, then the JVM, while Python is still whole (registered after JPype's own exit
    hook, so it runs first). Scripts exit cleanly with it; a test run still crashed now and then at
    JVM shutdown after Spark (see python/tests/conftest.py)."""
    if jpype.isJVMStarted():
        from . import stop_spark

        stop_spark()
        jpype.shutdownJVM()
