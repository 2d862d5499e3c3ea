# Regenerates the .npy fixtures of NpyTest with NumPy (1.26 was used), so the
# reader is checked against files written by NumPy itself, not by aicc:
#   .venv/bin/python test/runtime/data/make_npy_data.py
import os

import numpy as np
import numpy.lib.format as F

os.chdir(os.path.dirname(os.path.abspath(__file__)))
np.save('f32_2x3.npy', np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5 - 1)
np.save('f16_4.npy', np.array([1.0, -2.5, 65504, 6.1035156e-05], dtype=np.float16))
np.save('bool_5.npy', np.array([True, False, True, True, False]))
np.save('i64_3x1.npy', np.array([[-1], [2**40], [7]], dtype=np.int64))
np.save('u8_scalar.npy', np.array(200, dtype=np.uint8))
np.save('f64_empty.npy', np.zeros((0, 4), dtype=np.float64))
np.save('fortran_f32.npy', np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save('bigendian_i32.npy', np.arange(4, dtype='>i4'))
np.save('structured.npy', np.zeros(2, dtype=[('a', '<i4'), ('b', '<f4')]))
np.save('complex64.npy', np.zeros(2, dtype=np.complex64))
for version in [(2, 0), (3, 0)]:
    with open('i16_v%d.npy' % version[0], 'wb') as f:
        F.write_array(f, np.array([[1, -2], [300, -400]], dtype=np.int16), version=version)
