package org.sparkamm.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.mllib.linalg.Matrix;
import scala.Tuple2;

/**
 * The identity on the blocks of a matrix, run in the executors, that holds the first task reading
 * a block inside one named pass of a product so that the test can kill that task's executor while
 * the pass runs. The pass is recognized on the task's own stack (a frame of {@code passClass}
 * whose method name contains {@code passMethod}, e.g. the lambdas of
 * {@code BlockProduct.sketchBlocks}), so other passes over the same blocks (the norms of
 * weighted sampling, MLlib's block-shape survey) go through untouched. Only one task, once: the
 * first to create {@code claimed} in the control directory, which then publishes its process id
 * in {@code pid} (written, then renamed) and sleeps at most {@value #HOLD_SECONDS} s. The retry
 * of the killed task finds {@code claimed} and goes through, as does everything when the test
 * never created {@code armed}. The directory is on this machine's file system, which the driver
 * and every executor share.
 */
final class PauseInPass
    implements Function<Tuple2<Tuple2<Object, Object>, Matrix>, Tuple2<Tuple2<Object, Object>, Matrix>> {
  private static final long serialVersionUID = 1L;
  static final long HOLD_SECONDS = 60;
  private final String control;
  private final String passClass;
  private final String passMethod;

  PauseInPass(Path control, String passClass, String passMethod) {
    this.control = control.toString();
    this.passClass = passClass;
    this.passMethod = passMethod;
  }

  @Override
  public Tuple2<Tuple2<Object, Object>, Matrix> call(Tuple2<Tuple2<Object, Object>, Matrix> block)
      throws InterruptedException {
    Path dir = Path.of(control);
    if (Files.exists(dir.resolve("armed")) && inPass() && claim(dir.resolve("claimed"))) {
      try {
        Path tmp = Files.writeString(dir.resolve("pid.tmp"), Long.toString(ProcessHandle.current().pid()));
        Files.move(tmp, dir.resolve("pid"), StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Thread.sleep(HOLD_SECONDS * 1000); // killed long before, unless the test failed to kill
    }
    return block;
  }

  private boolean inPass() {
    return StackWalker.getInstance().walk(frames -> frames.anyMatch(
        f -> f.getClassName().equals(passClass) && f.getMethodName().contains(passMethod)));
  }

  private static boolean claim(Path file) {
    try {
      Files.createFile(file);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
