#!/usr/bin/python3
"""Writes data/samples/ with NumPy itself, so that the Java readers are checked against files
made by the reference implementation. Entry (i, j) of every sample is 10 * i + j + 0.5 (as exactly
representable in float32), so a test can check any reader without a second file.
Run from the repository root: /usr/bin/python3 data/make_samples.py (needs python3-numpy)."""
import struct
import numpy as np

out = "data/samples/"
m = np.fromfunction(lambda i, j: 10 * i + j + 0.5, (6, 4), dtype=np.float64)  # 6 x 4
np.save(out + "m_f8_c.npy", m)
np.save(out + "m_f4_fortran.npy", np.asfortranarray(m.astype(np.float32)))
np.save(out + "m_f8_bigendian.npy", m.astype(">f8"))
np.save(out + "m_i2.npy", (m - 0.5).astype(np.int16))
np.save(out + "m_f2.npy", m.astype(np.float16))  # every sample value is exact in float16
np.save(out + "m_transposed_view.npy", m.T.T[:, :])  # C order again after two views
np.savez(out + "m_pair.npz", A=m, B=m.T)
np.savez_compressed(out + "m_pair_compressed.npz", A=m, B=m.T)
# Matrix Market (coordinate, general) and TEXMEX fvecs, written by hand from the same matrix.
with open(out + "m.mtx", "w") as f:
    f.write("%%MatrixMarket matrix coordinate real general\n% written by data/make_samples.py\n")
    f.write("6 4 24\n")
    for j in range(4):
        for i in range(6):
            f.write(f"{i + 1} {j + 1} {m[i, j]!r}\n")
with open(out + "m.fvecs", "wb") as f:
    for row in m.astype(np.float32):
        f.write(struct.pack("<i", 4))
        f.write(row.astype("<f4").tobytes())
