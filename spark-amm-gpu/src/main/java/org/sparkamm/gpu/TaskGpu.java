package org.sparkamm.gpu;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.OptionalInt;
import org.sparkamm.error.AmmException;

/**
 * The GPU that Spark's scheduler gave the calling task: the first address of the task's {@code gpu}
 * resource ({@code TaskContext.get().resourcesJMap().get("gpu").addresses()}, set by
 * {@code spark.executor.resource.gpu.*} and {@code spark.task.resource.gpu.amount}), read by
 * reflection so that this module runs without Spark on its classpath (the device-check bundle).
 * Empty outside a task, in local mode without GPU resources, and where Spark is absent.
 */
final class TaskGpu {
  private static final Method GET = sparkMethod("get");
  private static final Method RESOURCES = sparkMethod("resourcesJMap");

  private TaskGpu() {}

  private static Method sparkMethod(String name) {
    try {
      return Class.forName("org.apache.spark.TaskContext").getMethod(name);
    } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
      return null;
    }
  }

  /** The calling task's GPU ordinal, or empty when it has none. */
  static OptionalInt address() {
    if (GET == null || RESOURCES == null) {
      return OptionalInt.empty();
    }
    try {
      Object task = GET.invoke(null);
      if (task == null) {
        return OptionalInt.empty();
      }
      Object gpu = ((Map<?, ?>) RESOURCES.invoke(task)).get("gpu");
      if (gpu == null) {
        return OptionalInt.empty();
      }
      String[] addresses = (String[]) gpu.getClass().getMethod("addresses").invoke(gpu);
      return addresses.length == 0 ? OptionalInt.empty() : OptionalInt.of(ordinal(addresses[0]));
    } catch (ReflectiveOperationException e) {
      throw new AmmException("cannot read the task's GPU resource from Spark's TaskContext: " + e, e);
    }
  }

  /** A GPU resource address as a CUDA device ordinal: a non-negative decimal integer. */
  static int ordinal(String address) {
    try {
      int ordinal = Integer.parseInt(address.trim());
      if (ordinal >= 0) {
        return ordinal;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new AmmException("the task's GPU resource address '" + AmmException.printable(address, 40)
        + "' is not a CUDA device ordinal (a non-negative integer, as Spark's GPU discovery script reports)");
  }
}
