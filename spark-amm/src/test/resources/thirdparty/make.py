#!/usr/bin/python3
"""Writes the files in this folder with NumPy and SciPy themselves, so that the Java readers are
checked against files made by the reference implementations (tests read them; they never run Python).
Run from this folder: /usr/bin/python3 make.py (NumPy 2.x, SciPy >= 1.12)."""
import gzip
import io
import numpy as np
import scipy.io
import scipy.sparse

np.save("bool.npy", np.array([[True, False, True], [False, False, True]]))
np.save("object.npy", np.array([[1, "a"], [None, 2.5]], dtype=object), allow_pickle=True)
np.save("structured.npy", np.zeros(3, dtype=[("a", "<f8"), ("b", "<i4")]))
np.save("datetime.npy", np.array([["2024-01-01", "2024-06-30"]], dtype="datetime64[ns]"))
np.save("timedelta.npy", np.array([[1, 2], [3, 4]], dtype="timedelta64[s]"))
np.save("unicode.npy", np.array([["ab", "c"]]))
np.savez("object_member.npz", A=np.array([[1, None]], dtype=object), B=np.eye(2))
# What numpy.save writes for a (2, 3, 4) float32 array and an int64 vector: the .npy writer must match byte for byte.
np.save("arange_2x3x4_f4.npy", np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 4)
np.save("vector_i8.npy", np.array([-3, 0, 2**40], dtype=np.int64))
np.save("scalar_f8.npy", np.float64(2.5))
# SciPy 1.12 and later write the unsigned-integer field for unsigned arrays.
m = np.array([[0, 7, 0], [4294967295, 0, 1]], dtype=np.uint32)
scipy.io.mmwrite("unsigned.mtx", scipy.sparse.coo_array(m))
# A SuiteSparse-style compressed file: SciPy's coordinate output of a 4 x 3 matrix, gzipped.
buf = io.BytesIO()
scipy.io.mmwrite(buf, scipy.sparse.coo_array(np.array([[1.5, 0, 0], [0, 0, -2], [0, 3, 0], [4, 0, 0.25]])))
with open("small.mtx.gz", "wb") as f:
    f.write(gzip.compress(buf.getvalue(), mtime=0))
