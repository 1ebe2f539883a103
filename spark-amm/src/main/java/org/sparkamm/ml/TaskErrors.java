package org.sparkamm.ml;

import java.util.function.Supplier;
import org.sparkamm.error.AmmException;

/**
 * Spark wraps an exception raised in a task (a null cell, ragged vectors) in its own
 * {@code SparkException}; the caller of fit gets the library's one-line exception instead, as
 * {@code Amm}'s products do. Other exceptions pass unchanged.
 */
final class TaskErrors {
  private TaskErrors() {}

  static <T> T unwrap(Supplier<T> job) {
    try {
      return job.get();
    } catch (Exception e) { // SparkException is checked to Java but thrown undeclared from Scala
      for (Throwable c = e; c != null && c != c.getCause(); c = c.getCause()) {
        if (c instanceof AmmException) {
          throw (AmmException) c;
        }
      }
      throw TaskErrors.<RuntimeException>rethrow(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Exception> E rethrow(Exception e) throws E {
    throw (E) e;
  }
}
