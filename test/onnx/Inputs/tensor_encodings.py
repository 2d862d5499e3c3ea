"""Writes ONNX models whose initializers cover every element type aicc
imports, each in raw_data and in its typed field (and a few as external
data), with hand-written bit patterns, for tensor-encodings.test.

Usage: tensor_encodings.py <output directory>

The bytes are spelled out here (not produced by numpy or onnx helpers) so
the expected values in the test follow from the ONNX spec alone.
"""
import struct
import sys

import onnx
from onnx import TensorProto as T, helper

out_dir = sys.argv[1]
inits, outputs = [], []


def add(name, dtype, dims, raw=None, field=None, values=None, external=None):
    t = onnx.TensorProto()
    t.name = name
    t.data_type = dtype
    t.dims.extend(dims)
    if raw is not None:
        t.raw_data = bytes(raw)
    if field is not None:
        getattr(t, field).extend(values)
    if external is not None:
        with open(f"{out_dir}/{name}.bin", "wb") as f:
            f.write(b"\xee" * 3 + bytes(external))
        t.data_location = T.EXTERNAL
        for k, v in (("location", f"{name}.bin"), ("offset", "3"),
                     ("length", str(len(external)))):
            e = t.external_data.add()
            e.key, e.value = k, v
    inits.append(t)
    outputs.append(helper.make_tensor_value_info(name, dtype, dims))


def pack(fmt, *values):
    return struct.pack("<" + fmt, *values)


add("f32_raw", T.FLOAT, [3], raw=pack("3f", 1.5, -2.0, 0.25))
add("f32_typed", T.FLOAT, [3], field="float_data", values=[3.0, 0.5, -8.0])
add("u8_raw", T.UINT8, [3], raw=[0, 200, 255])
add("u8_typed", T.UINT8, [3], field="int32_data", values=[7, 128, 1])
add("i8_raw", T.INT8, [3], raw=[0x80, 0xFF, 0x7F])
add("i8_typed", T.INT8, [3], field="int32_data", values=[-5, 100, 0])
add("u16_raw", T.UINT16, [3], raw=pack("3H", 65535, 1, 40000))
add("u16_typed", T.UINT16, [3], field="int32_data", values=[2, 60000, 3])
add("i16_raw", T.INT16, [3], raw=pack("3h", -32768, 300, -1))
add("i16_typed", T.INT16, [3], field="int32_data", values=[-2, 32767, 5])
add("i32_raw", T.INT32, [3], raw=pack("3i", -2147483648, 7, 123456789))
add("i32_typed", T.INT32, [3], field="int32_data", values=[-7, 8, 9])
add("i64_raw", T.INT64, [3], raw=pack("3q", -5000000000, 1, 9007199254740993))
add("i64_typed", T.INT64, [3], field="int64_data",
    values=[-1, 4294967296, 2])
# The bug of issue 7: one byte per bool, shape [1, 8].
add("bool_raw", T.BOOL, [1, 8], raw=[1, 0, 1, 1, 0, 0, 1, 0])
add("bool_typed", T.BOOL, [3], field="int32_data", values=[0, 1, 1])
add("bool_external", T.BOOL, [2, 2], external=[0, 1, 0, 0])
# float16 and bfloat16: bit patterns (1.0, -2.0, 0.5) and (3.0, 0.25, -1.0).
add("f16_raw", T.FLOAT16, [3], raw=pack("3H", 0x3C00, 0xC000, 0x3800))
add("f16_typed", T.FLOAT16, [3], field="int32_data",
    values=[0x4200, 0x3400, 0xBC00])
add("f64_raw", T.DOUBLE, [2], raw=pack("2d", 0.1, -3.0))
add("f64_typed", T.DOUBLE, [2], field="double_data", values=[2.5, -0.125])
add("f64_external", T.DOUBLE, [2], external=pack("2d", 6.0, -0.5))
add("u32_raw", T.UINT32, [2], raw=pack("2I", 4294967295, 5))
add("u32_typed", T.UINT32, [2], field="uint64_data", values=[4000000000, 6])
add("u64_raw", T.UINT64, [2], raw=pack("2Q", 18446744073709551615, 3))
add("u64_typed", T.UINT64, [2], field="uint64_data",
    values=[9223372036854775808, 4])
add("c64_raw", T.COMPLEX64, [2], raw=pack("4f", 1.0, 2.0, -3.0, 0.5))
add("c64_typed", T.COMPLEX64, [2], field="float_data",
    values=[0.25, -1.0, 4.0, 0.0])
add("c128_raw", T.COMPLEX128, [2], raw=pack("4d", -1.0, 0.5, 2.0, 8.0))
add("c128_typed", T.COMPLEX128, [2], field="double_data",
    values=[3.0, -4.0, 0.125, 1.0])
# bfloat16: (1.0, -3.0) and (2.0, 0.5).
add("bf16_raw", T.BFLOAT16, [2], raw=pack("2H", 0x3F80, 0xC040))
add("bf16_typed", T.BFLOAT16, [2], field="int32_data",
    values=[0x4000, 0x3F00])
# float8e4m3fn (bias 7): 0x38 = 1.0, 0xC0 = -2.0, 0x7E = 448 (max);
# 0x30 = 0.5, 0x3C = 1.5.
add("f8e4m3fn_raw", T.FLOAT8E4M3FN, [3], raw=[0x38, 0xC0, 0x7E])
add("f8e4m3fn_typed", T.FLOAT8E4M3FN, [2], field="int32_data",
    values=[0x30, 0x3C])
# float8e4m3fnuz (bias 8): 0x40 = 1.0, 0xC8 = -2.0; 0x38 = 0.5, 0x48 = 2.0.
add("f8e4m3fnuz_raw", T.FLOAT8E4M3FNUZ, [2], raw=[0x40, 0xC8])
add("f8e4m3fnuz_typed", T.FLOAT8E4M3FNUZ, [2], field="int32_data",
    values=[0x38, 0x48])
# float8e5m2 (bias 15): 0x3C = 1.0, 0xC0 = -2.0; 0x38 = 0.5, 0x3E = 1.5.
add("f8e5m2_raw", T.FLOAT8E5M2, [2], raw=[0x3C, 0xC0])
add("f8e5m2_typed", T.FLOAT8E5M2, [2], field="int32_data",
    values=[0x38, 0x3E])
# float8e5m2fnuz (bias 16): 0x40 = 1.0, 0xC4 = -2.0; 0x3C = 0.5, 0x44 = 2.0.
add("f8e5m2fnuz_raw", T.FLOAT8E5M2FNUZ, [2], raw=[0x40, 0xC4])
add("f8e5m2fnuz_typed", T.FLOAT8E5M2FNUZ, [2], field="int32_data",
    values=[0x3C, 0x44])
# float8e8m0 (2^(e-127)): 127 = 1.0, 128 = 2.0, 126 = 0.5; 130 = 8, 125 = 0.25.
add("f8e8m0_raw", T.FLOAT8E8M0, [3], raw=[127, 128, 126])
add("f8e8m0_typed", T.FLOAT8E8M0, [2], field="int32_data", values=[130, 125])
# Sub-byte types are packed, first element in the low bits; in int32_data
# each int32 holds one packed byte.
# uint4 (1, 15, 7) and (2, 3, 10).
add("u4_raw", T.UINT4, [3], raw=[0xF1, 0x07])
add("u4_typed", T.UINT4, [3], field="int32_data", values=[0x32, 0x0A])
# int4 (-8, 7, -1) and (1, -2, 3).
add("i4_raw", T.INT4, [3], raw=[0x78, 0x0F])
add("i4_typed", T.INT4, [3], field="int32_data", values=[0xE1, 0x03])
# float4e2m1 (bias 1): 0x2 = 1.0, 0xF = -6.0, 0x1 = 0.5; 0x5 = 3.0,
# 0xB = -1.5, 0x6 = 4.0.
add("f4e2m1_raw", T.FLOAT4E2M1, [3], raw=[0xF2, 0x01])
add("f4e2m1_typed", T.FLOAT4E2M1, [3], field="int32_data", values=[0xB5, 0x06])
# uint2 (3, 0, 1, 2, 1) and (2, 2, 0).
add("u2_raw", T.UINT2, [5], raw=[0x93, 0x01])
add("u2_typed", T.UINT2, [3], field="int32_data", values=[0x0A])
# int2 (-2, 1, -1) and (1, 0, -2, -1).
add("i2_raw", T.INT2, [3], raw=[0x36])
add("i2_typed", T.INT2, [4], field="int32_data", values=[0xE1])

# A Constant node (the form the PyTorch export used) with the same bool data.
const = helper.make_node("Constant", [], ["bool_node"], name="bool_node")
value = onnx.TensorProto()
value.data_type, value.raw_data = T.BOOL, bytes([0, 1, 1, 0, 1, 0, 0, 1])
value.dims.extend([1, 8])
const.attribute.append(helper.make_attribute("value", value))
outputs.append(helper.make_tensor_value_info("bool_node", T.BOOL, [1, 8]))

graph = helper.make_graph([const], "encodings", [], outputs, inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
model.ir_version = 10
onnx.save(model, f"{out_dir}/encodings.onnx")

# A bool tensor whose raw_data is too short: one byte for eight bools.
bad = onnx.TensorProto()
bad.name, bad.data_type, bad.raw_data = "short", T.BOOL, bytes([0xFF])
bad.dims.extend([1, 8])
graph = helper.make_graph(
    [], "short", [], [helper.make_tensor_value_info("short", T.BOOL, [1, 8])],
    [bad])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
model.ir_version = 10
onnx.save(model, f"{out_dir}/short-bool.onnx")
