"""NumPy arrays to Spark's local matrices and back, with as few copies as the layout allows.

A C-contiguous array becomes a row-major (isTransposed) DenseMatrix and a Fortran-contiguous one a
column-major DenseMatrix, without transposition. float64 and float32 arrays are handed to the JVM as
direct buffers over their own memory (no NumPy copy); the JVM makes its one copy into its heap,
widening float32 on the way. Other layouts (strided views, slices) and dtypes (ints) are first made
contiguous by NumPy (one copy), so a view is always read as NumPy sees it — LibAMM's binding ignores
strides and reads views wrongly. Results are written by the JVM straight into a new Fortran-ordered
array of the result dtype.
"""
import numpy as np
import jpype
import jpype.nio


def _buffer(a):
    """A direct buffer over the array's memory (a copy first only for read-only arrays)."""
    if not a.flags.writeable:
        a = a.copy(order="A")
    return jpype.nio.convertToDirectBuffer(a.reshape(-1, order="A").view(np.uint8)), a


def to_java(a, name):
    from org.sparkamm.python import NumpyBridge

    a = np.asarray(a)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {a.shape}")
    if a.dtype.kind not in "fiub":
        raise ValueError(f"{name} has dtype {a.dtype}; real numbers (float or int) are expected")
    rows, cols = a.shape
    if a.dtype.newbyteorder("=") not in (np.dtype(np.float64), np.dtype(np.float32)) or not a.dtype.isnative:
        a = a.astype(np.float64)
    if not (a.flags.c_contiguous or a.flags.f_contiguous):
        a = np.ascontiguousarray(a)
    row_major = a.flags.c_contiguous
    buffer, keep = _buffer(a)
    matrix = NumpyBridge.fromBuffer(buffer, rows, cols, bool(row_major), a.dtype == np.float32)
    del keep
    return matrix


def from_java(matrix, dtype):
    """A Spark local Matrix as a new Fortran-ordered ndarray of dtype float32 or float64."""
    from org.sparkamm.python import NumpyBridge

    rows, cols = int(matrix.numRows()), int(matrix.numCols())
    out = _empty((rows, cols), dtype)
    if out.size:
        buffer = jpype.nio.convertToDirectBuffer(out.reshape(-1, order="F").view(np.uint8))
        NumpyBridge.toBuffer(matrix, buffer, out.dtype == np.float32)
    return out


def _empty(shape, dtype):
    """A new Fortran-ordered array whose pages are not asked to be transparent huge pages.

    NumPy madvises large arrays for huge pages; once the JVM shares the process, the kernel often
    has to compact memory to find them, and first-touching a 128 MB result stalled for 0.3-0.4 s
    (measured). Ordinary pages fault in at a steady ~0.6 ms per MB.
    """
    setter = getattr(np.core.multiarray, "_set_madvise_hugepage", None)
    if setter is None:
        return np.empty(shape, dtype=dtype, order="F")
    previous = setter(False)
    try:
        return np.empty(shape, dtype=dtype, order="F")
    finally:
        setter(previous)


def result_dtype(*arrays):
    """float32 when every input is float32, float64 otherwise (ints included)."""
    return np.float32 if all(np.asarray(x).dtype == np.float32 for x in arrays) else np.float64
