#!/usr/bin/env python3
"""rnpu-sim against NumPy: an int8 3x3 conv (pad 1) and the CLI's checks.

The command stream is encoded here with `struct`, independently of the C++
encoder, from the tables of docs/RNPU.md ("Binary encoding"); the reference
is NumPy (int64 accumulation, then the spec's f32 requantization). Also
checks --disassemble, --trace (valid JSON) and that corrupted streams and
too-small bindings fail with exit status 1 and a message.

usage: rnpu_sim_numpy.py RNPU_SIM TMPDIR
"""
import json
import os
import struct
import subprocess
import sys

import numpy as np

R = C = 16  # the default configuration's MAC array


def header(count):
    return struct.pack("<IHHIHH", 0x55504E52, 1, 0, count, 128, 0)


def inst(opcode, sub, tag, body):
    """body: the bytes from offset 4 on."""
    b = struct.pack("<BBH", opcode, sub, tag) + body
    assert len(b) <= 128, len(b)
    return b + bytes(128 - len(b))


def dma(load, space, binding, dram_offset, sram_addr, size, sram_stride,
        dram_stride, elem=1, pad_lo=(0,) * 4, pad_hi=(0,) * 4, pad_value=0,
        tag=0):
    body = struct.pack("<BBH", elem, binding, 0)
    body += struct.pack("<QII", dram_offset, sram_addr, pad_value)
    body += struct.pack("<4I", *size) + struct.pack("<4q", *dram_stride)
    body += struct.pack("<4i", *sram_stride) + struct.pack("<4H", *pad_lo)
    body += struct.pack("<4H", *pad_hi) + struct.pack("<Iiq", 1, 0, 0)
    return inst(1 if load else 2, space, tag, body)


def gemm(flags, zi, zw, acc, inp, wgt, rows, outer, inner, strides, tag=0):
    """strides: acc_row, inp_row, acc_outer, inp_outer, wgt_outer,
    acc_inner, inp_inner, wgt_inner."""
    body = struct.pack("<hhIIIHHHH", zi, zw, acc, inp, wgt, rows, outer,
                       inner, 0)
    body += struct.pack("<8i", *strides)
    return inst(3, flags, tag, body)


def requant(count, dst, src0, mult, bias, zp, clamp, tag=0):
    flags = 1 << 3  # HAS_BIAS, unsigned in/out
    body = struct.pack("<BBBB", flags, 0, 2, 0)  # dst ACT, src0 ACC
    body += struct.pack("<3HBB", *count, 1, 1)
    for addr, strides in (dst, src0, (0, (0, 0, 0)), mult, bias):
        body += struct.pack("<I3i", addr, *strides)
    body += struct.pack("<2i", 0, 0) + struct.pack("<3h", zp, 0, 0)
    body += struct.pack("<hhH", clamp[0], clamp[1], 0)
    body += struct.pack("<3f", 0, 0, 0)
    return inst(4, 1, tag, body)


def sync(queue, wait, sem, count=1):
    return inst(5, queue, 0, struct.pack("<BBH", 1 if wait else 0, sem, count))


def end():
    return inst(6, 0, 0, b"")


def conv_program(H, W, Cin, Cout, zx, zy, relu):
    CB, COB = -(-Cin // R), -(-Cout // C)
    cinP, coutP, Wp = CB * R, COB * C, W + 2
    in_bytes = (H + 2) * Wp * cinP
    acc_bytes = H * W * COB * 4 * C
    bias_addr, mult_addr = acc_bytes, acc_bytes + 4 * coutP
    p = [
        dma(True, 1, 1, 0, 0, (9 * CB * COB * R * C, 1, 1, 1), (1, 0, 0, 0),
            (1, 0, 0, 0)),
        dma(True, 2, 2, 0, bias_addr, (coutP, 1, 1, 1), (4, 0, 0, 0),
            (4, 0, 0, 0), elem=4, pad_hi=(coutP - Cout, 0, 0, 0)),
        dma(True, 2, 3, 0, mult_addr, (coutP, 1, 1, 1), (4, 0, 0, 0),
            (4, 0, 0, 0), elem=4, pad_hi=(coutP - Cout, 0, 0, 0)),
        dma(True, 0, 0, 0, 0, (cinP, Wp, H + 2, 1),
            (1, cinP, Wp * cinP, 0), (1, Cin, W * Cin, 0),
            pad_lo=(0, 1, 1, 0), pad_hi=(cinP - Cin, 1, 1, 0), pad_value=zx,
            tag=1),
        sync(0, False, 0),
        sync(1, True, 0),
    ]
    for h in range(H):
        for cob in range(COB):
            p.append(gemm(2, zx, 0, (h * W * COB + cob) * 4 * C,
                          h * Wp * cinP, cob * R * C, W, 3, 3 * CB,
                          (COB * 4 * C, cinP, 0, Wp * cinP,
                           3 * CB * COB * R * C, 0, R, COB * R * C), tag=1))
    p.append(requant((Cout, H * W, 1), (in_bytes, (1, Cout, 0)),
                     (0, (4, COB * 4 * C, 0)), (mult_addr, (4, 0, 0)),
                     (bias_addr, (4, 0, 0)), zy,
                     (zy if relu else 0, 255), tag=1))
    p += [sync(1, False, 1), sync(2, True, 1),
          dma(False, 0, 4, 0, in_bytes, (H * W * Cout, 1, 1, 1),
              (1, 0, 0, 0), (1, 0, 0, 0), tag=1),
          end()]
    return header(len(p)) + b"".join(p), len(p)


def pack_weights(w, Cin, Cout):
    """w [Cout][Cin][3][3] -> blocks [kh][kw][cb][cob][k][c]."""
    CB, COB = -(-Cin // R), -(-Cout // C)
    wp = np.zeros((COB * C, CB * R, 3, 3), np.int8)
    wp[:Cout, :Cin] = w
    blocks = wp.reshape(COB, C, CB, R, 3, 3).transpose(4, 5, 2, 0, 3, 1)
    return np.ascontiguousarray(blocks)


def reference(x, w, bias, mult, zx, zy, relu):
    H, W, Cin = x.shape
    xp = np.pad(x.astype(np.int64) - zx, ((1, 1), (1, 1), (0, 0)))
    acc = np.zeros((H, W, w.shape[0]), np.int64)
    for kh in range(3):
        for kw in range(3):
            acc += np.einsum("hwc,oc->hwo", xp[kh:kh + H, kw:kw + W],
                             w[:, :, kh, kw].astype(np.int64))
    acc = (acc + bias).astype(np.int32)
    t = np.rint(acc.astype(np.float32) * mult) + np.float32(zy)
    return np.clip(t, zy if relu else 0, 255).astype(np.uint8)


def run(cmd, expect_rc=0):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != expect_rc:
        sys.exit(f"{' '.join(cmd)}: exit {r.returncode}, expected "
                 f"{expect_rc}\n{r.stdout}{r.stderr}")
    return r


def main():
    sim, tmp = sys.argv[1], sys.argv[2]
    os.makedirs(tmp, exist_ok=True)
    rng = np.random.default_rng(0)
    H, W, Cin, Cout, zx, zy, relu = 7, 9, 20, 24, 11, 4, True
    x = rng.integers(0, 256, (H, W, Cin), dtype=np.uint8)
    w = rng.integers(-127, 128, (Cout, Cin, 3, 3)).astype(np.int8)
    bias = rng.integers(-20000, 20000, Cout).astype(np.int32)
    mult = (rng.integers(1, 1000, Cout) * 2e-6).astype(np.float32)
    stream, count = conv_program(H, W, Cin, Cout, zx, zy, relu)
    path = lambda name: os.path.join(tmp, name)
    with open(path("conv.rnpu"), "wb") as f:
        f.write(stream)
    np.save(path("x.npy"), x)
    np.save(path("w.npy"), pack_weights(w, Cin, Cout))
    np.save(path("bias.npy"), bias)
    np.save(path("mult.npy"), mult)
    bind = ["--in", "0=" + path("x.npy"), "--in", "1=" + path("w.npy"),
            "--in", "2=" + path("bias.npy"), "--in", "3=" + path("mult.npy")]
    out = ["--out", f"4={path('y.npy')}:u8:{H}x{W}x{Cout}"]
    r = run([sim, path("conv.rnpu")] + bind + out +
            ["--profile", "--trace", path("trace.json")])
    y = np.load(path("y.npy"))
    want = reference(x, w, bias, mult, zx, zy, relu)
    assert len(np.unique(want)) > 20, "the outputs are mostly saturated"
    mismatches = int((y != want).sum())
    assert mismatches == 0, f"{mismatches} of {want.size} outputs differ"
    assert "MAC utilization" in r.stdout, r.stdout
    trace = json.load(open(path("trace.json")))
    events = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert len(events) == count - 1, (len(events), count)  # all but END
    listing = run([sim, path("conv.rnpu"), "--disassemble"]).stdout
    lines = listing.splitlines()
    assert len(lines) == count and "DMA_LOAD WGT[0] <- b1[0]" in lines[0], \
        listing[:400]
    assert lines[-1].strip().endswith("END"), lines[-1]

    # Corrupt the opcode of instruction 4: rejected, nothing runs.
    bad = bytearray(stream)
    bad[16 + 4 * 128] = 0x7F
    with open(path("bad.rnpu"), "wb") as f:
        f.write(bad)
    r = run([sim, path("bad.rnpu")] + bind + out, expect_rc=1)
    assert "instruction 4: bad opcode 127" in r.stderr, r.stderr
    # An output binding one row too small.
    small = ["--out", f"4={path('y2.npy')}:u8:{H - 1}x{W}x{Cout}"]
    r = run([sim, path("conv.rnpu")] + bind + small, expect_rc=1)
    assert "outside binding 4" in r.stderr, r.stderr
    r = run([sim, path("conv.rnpu"), "--set", "bogus=1"], expect_rc=2)
    assert "unknown parameter 'bogus'" in r.stderr, r.stderr
    print(f"rnpu-sim matches NumPy on a {H}x{W} {Cin}->{Cout} conv "
          f"({want.size} outputs)")


if __name__ == "__main__":
    main()
