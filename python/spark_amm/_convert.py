"""NumPy arrays to Spark's local matrices and back, with as few copies as the layout allows.

A C-contiguous float64 array becomes a row-major (isTransposed) DenseMatrix and a Fortran-contiguous
one a column-major DenseMatrix: one memcpy into the Java array, no transposition. Other layouts
(strided views, slices) and other dtypes are first made contiguous float64 by NumPy (one copy),
so a view is always read as NumPy sees it — LibAMM's binding ignores strides and reads views wrongly.
Results come back column-major and are returned as a Fortran-ordered view (no transposition).
"""
import numpy as np
import jpype


def to_java(a, name):
    from org.apache.spark.mllib.linalg import DenseMatrix

    a = np.asarray(a)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {a.shape}")
    if a.dtype.kind not in "fiub":
        raise ValueError(f"{name} has dtype {a.dtype}; real numbers (float or int) are expected")
    rows, cols = a.shape
    if a.dtype == np.float64 and a.flags.c_contiguous:
        flat, transposed = a.reshape(-1), True
    elif a.dtype == np.float64 and a.flags.f_contiguous:
        flat, transposed = a.T.reshape(-1), False
    else:
        flat, transposed = np.ascontiguousarray(a, dtype=np.float64).reshape(-1), True
    values = jpype.JArray(jpype.JDouble)(flat)
    return DenseMatrix(rows, cols, values, transposed and rows > 0 and cols > 0)


def from_java(matrix, dtype):
    """A Spark local Matrix as an ndarray of the given dtype."""
    from org.apache.spark.mllib.linalg import DenseMatrix

    rows, cols = int(matrix.numRows()), int(matrix.numCols())
    if isinstance(matrix, DenseMatrix) and not matrix.isTransposed():
        values = matrix.values()  # the result's own column-major array, no copy on the Java side
    else:
        values = matrix.toArray()
    flat = np.asarray(memoryview(values)) if len(values) else np.zeros(0)
    out = flat.reshape(cols, rows).T  # a Fortran-ordered view of column-major data
    return out if out.dtype == dtype else out.astype(dtype)


def result_dtype(*arrays):
    """float32 when every input is float32, float64 otherwise (ints included)."""
    return np.float32 if all(np.asarray(x).dtype == np.float32 for x in arrays) else np.float64
