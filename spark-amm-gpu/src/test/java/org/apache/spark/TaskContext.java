package org.apache.spark;

import java.util.Map;

/**
 * A stand-in for Spark's {@code org.apache.spark.TaskContext} on this module's test classpath, which
 * has no Spark: the two members {@code org.sparkamm.gpu.TaskGpu} reads by reflection, with Spark
 * 4.x's signatures ({@code static TaskContext get()}, {@code java.util.Map<String,
 * ResourceInformation> resourcesJMap()}; {@code ResourceInformation.addresses()} is a
 * {@code String[]}). {@link #set} plays the executor setting the running task's context.
 */
public class TaskContext {
  private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();
  private final Map<String, Resource> resources;

  private TaskContext(Map<String, Resource> resources) {
    this.resources = resources;
  }

  public static TaskContext get() {
    return CURRENT.get();
  }

  public Map<String, Resource> resourcesJMap() {
    return resources;
  }

  /** Makes a task with these resources the calling thread's, or none with null. */
  public static void set(Map<String, Resource> resources) {
    if (resources == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(new TaskContext(resources));
    }
  }

  /** Spark's {@code ResourceInformation}: a resource name and its addresses. */
  public static final class Resource {
    private final String[] addresses;

    public Resource(String... addresses) {
      this.addresses = addresses;
    }

    public String[] addresses() {
      return addresses;
    }
  }
}
