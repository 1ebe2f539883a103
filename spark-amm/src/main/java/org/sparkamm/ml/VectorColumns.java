package org.sparkamm.ml;

import java.util.Arrays;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkamm.error.AmmArgumentException;

/**
 * Schema checks and conversions for the vector columns the estimators read and write: Spark ML's
 * {@code VectorUDT} or the older {@code mllib} one on input, Spark ML vectors on output.
 */
final class VectorColumns {
  private VectorColumns() {}

  /** Fails with one line unless {@code schema} has a vector column {@code name}. */
  static void requireVector(StructType schema, String name) {
    StructField field = Arrays.stream(schema.fields()).filter(f -> f.name().equals(name)).findFirst()
        .orElseThrow(() -> new AmmArgumentException("no column '" + name + "' in the DataFrame; its columns: "
            + String.join(", ", schema.fieldNames())));
    AmmArgumentException.require(field.dataType() instanceof org.apache.spark.ml.linalg.VectorUDT
        || field.dataType() instanceof org.apache.spark.mllib.linalg.VectorUDT,
        "column '%s' must hold vectors, but its type is %s", name, field.dataType().simpleString());
  }

  /** {@code schema} with a new vector column of {@code size} entries (ML attribute metadata says the size). */
  static StructType append(StructType schema, String name, int size) {
    AmmArgumentException.require(!Arrays.asList(schema.fieldNames()).contains(name),
        "output column '%s' already exists in the DataFrame", name);
    return schema.add(new AttributeGroup(name, size).toStructField());
  }

  /**
   * The column W^T x for the vectors x of column {@code in} (W is d x k, x must have d entries), named
   * {@code name} with the metadata {@code schema} gives it: O(d k) per row, in the tasks.
   */
  static Column project(String in, DenseMatrix w, String name, StructType schema) {
    int d = w.numRows();
    DenseMatrix wT = w.transpose();
    UDF1<Object, Vector> f = cell -> wT.multiply(ml(cell, in, d));
    return functions.udf(f, SQLDataTypes.VectorType()).apply(functions.col(in)).as(name, schema.apply(name).metadata());
  }

  /** The Spark ML vector of a cell holding either kind of vector; null is a one-line error. */
  static Vector ml(Object cell, String column) {
    if (cell instanceof Vector) {
      return (Vector) cell;
    }
    if (cell instanceof org.apache.spark.mllib.linalg.Vector) {
      return ((org.apache.spark.mllib.linalg.Vector) cell).asML();
    }
    throw new AmmArgumentException("column '" + column + "' holds a null instead of a vector");
  }

  /** The vector checked to have {@code size} entries. */
  static Vector ml(Object cell, String column, int size) {
    Vector v = ml(cell, column);
    AmmArgumentException.require(v.size() == size, "column '%s' holds a vector of %d entries; the model expects %d",
        column, v.size(), size);
    return v;
  }
}
