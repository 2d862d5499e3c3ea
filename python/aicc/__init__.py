"""aicc: an ahead-of-time compiler for ONNX models, from Python.

    import aicc, numpy as np
    artifact = aicc.compile("model.onnx", dims={"batch": 1})   # bytes
    module = aicc.load(artifact)                                # threads=0: all cores
    print(module.inputs, module.outputs)
    outputs = module(input=np.zeros((1, 1, 28, 28), np.float32))
    print(outputs["probs"])

``aicc.onnx_session(path)`` is a drop-in for ``onnxruntime.InferenceSession``.
docs/Python.md has the details.
"""

from __future__ import annotations

import atexit
import os
import re
import statistics
import sys
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import weakref

import numpy as np

from . import _runtime

__all__ = [
    "CompileError", "Diagnostic", "Error", "Module", "TensorInfo", "compile",
    "load", "onnx_session", "targets", "devices", "__version__",
]

__version__ = _runtime.version

#: Raised by the runtime (loading, sessions, runs); a RuntimeError.
Error = _runtime.Error


class Diagnostic(NamedTuple):
    """One problem reported by the compiler."""

    severity: str  #: "error", "warning" or "note"
    node: str  #: the ONNX node's name ("" when the problem is not about one)
    op: str  #: its op type, e.g. "Conv" ("" when the message does not say)
    message: str  #: as the aicc tool prints it; names the node and its op
    notes: List[str]

    def __str__(self) -> str:
        text = f"{self.severity}: {self.message}"
        for note in self.notes:
            text += f"\n  note: {note}"
        return text


class CompileError(Exception):
    """A model did not compile. ``str(error)`` lists every problem (node, op,
    reason); ``error.diagnostics`` holds them as :class:`Diagnostic`."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics: List[Diagnostic] = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        lines = [f"aicc: {len(errors)} error(s) compiling the model:"]
        lines += [str(d) for d in self.diagnostics]
        super().__init__("\n".join(lines))

    @property
    def errors(self) -> List[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def _compiler_module():
    try:
        from . import _compiler
    except ImportError as error:
        raise ImportError(
            "aicc: this build of the package has no compiler (runtime only: "
            "built with AICC_BUILD_COMPILER=OFF, or _compiler failed to load: "
            f"{error}); aicc.load still runs .aicc artifacts") from error
    return _compiler


def targets() -> List[str]:
    """Names of the compiler's targets (``aicc --list-targets``)."""
    return list(_compiler_module().targets())


def devices() -> List[Dict[str, Any]]:
    """The runtime's devices: name, kind, description, concurrency."""
    return [dict(name=n, kind=k, description=d, concurrency=c)
            for n, k, d, c in _runtime.devices()]


# ---------------------------------------------------------------------------
# Compiling
# ---------------------------------------------------------------------------

def _graph_inputs(model) -> list:
    initializers = {i.name for i in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in initializers]


def _default_dims(model, dims: Dict[str, int], input_shapes: Dict[str, Any]) -> Dict[str, int]:
    """Symbolic dims (ONNX dim_param) that neither ``dims`` nor
    ``input_shapes`` fixes default to 1 (a batch of one)."""
    result = {}
    for value in _graph_inputs(model):
        if value.name in input_shapes or not value.type.HasField("tensor_type"):
            continue
        for dim in value.type.tensor_type.shape.dim:
            if dim.HasField("dim_param") and dim.dim_param not in dims:
                result[dim.dim_param] = 1
    return result


# The importer's node prefix: node 'conv1' (ai.onnx::Conv, opset 13): ...
_NODE_PREFIX = re.compile(r"node '([^']*)' \(([^:,()]*)::([^,()]+), opset \d+\)")


def _diagnostic(severity: str, node: str, message: str, notes) -> Diagnostic:
    op = ""
    match = _NODE_PREFIX.match(message)
    if match:
        node = node or match.group(1)
        op = match.group(3)
    return Diagnostic(severity, node, op, message, list(notes))


def _shape_spec(name: str, shape) -> str:
    if isinstance(shape, str):
        return f"{name}:{shape}"
    return f"{name}:" + "x".join(str(int(d)) for d in shape)


def _dim_spec(name: str, value) -> str:
    # A (lo, hi) pair keeps the symbol dynamic (--dim NAME=LO..HI).
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"aicc.compile: dims['{name}'] must be an int or "
                             f"a (lo, hi) pair, not {value!r}")
        return f"{name}={int(value[0])}..{int(value[1])}"
    return f"{name}={int(value)}"


def _kv_cache_spec(kv_cache) -> str:
    """``--kv-cache``'s text for ``kv_cache``: auto, or PAST:PRESENT,..."""
    if kv_cache is None:
        return ""
    if isinstance(kv_cache, str):
        return kv_cache
    return ",".join(f"{past}:{present}" for past, present in kv_cache.items())


def compile(model: Union[str, os.PathLike, bytes, Any], target: str = "avx512", *,
            dims: Optional[Mapping[str, int]] = None,
            input_shapes: Optional[Mapping[str, Sequence[int]]] = None,
            input_values: Optional[Mapping[str, Any]] = None,
            opt_level: int = 3, report: Optional[str] = None,
            precision: str = "fp32",
            kv_cache: Optional[Union[str, Mapping[str, str]]] = None,
            kv_cache_layout: str = "contiguous",
            conv_algorithm: str = "auto",
            output: Optional[Union[str, os.PathLike]] = None) -> bytes:
    """Compiles an ONNX model to an .aicc artifact and returns its bytes.

    model: a path (.onnx, or ONNX text .onnxtxt), the serialized model as
        bytes, or an ``onnx.ModelProto``.
    target: the target name (``aicc.targets()``), as ``aicc --target``.
    dims: values of symbolic dims, e.g. ``{"batch": 1}`` (``--dim``). A
        symbolic dim of a graph input that neither ``dims`` nor
        ``input_shapes`` fixes defaults to 1. A ``(lo, hi)`` pair keeps the
        symbol dynamic in that inclusive range (``--dim NAME=LO..HI``): one
        artifact runs every size in it (docs/Pipeline.md, "Dynamic shapes").
    input_shapes: static shapes of inputs, e.g. ``{"input": (1, 3, 224, 224)}``
        (``--input-shape``).
    input_values: compile-time values of shape-determining inputs (they leave
        the signature), e.g. ``{"shape": [1, -1]}`` (``--input-value``).
    opt_level: 0-3 (``-O``).
    report: ``"memory"`` prints the memory-plan report to ``sys.stderr``;
        ``"fusion"`` the kernels before and after fusion; ``"precision"``
        the ops ``precision`` converted.
    precision: ``"fp32"`` (default), ``"bf16"``, ``"fp16"`` or ``"int8w"``
        (``--precision``).
    kv_cache: ``"auto"`` or ``{"past": "present", ...}`` (``--kv-cache``):
        the cache pairs become session state updated in place.
    kv_cache_layout: ``"contiguous"`` (default: one buffer of the maximum
        length), ``"paged"`` or ``"paged:block=N"`` (a block table; memory
        grows with the sequence) (``--kv-cache-layout``; needs ``kv_cache``).
    conv_algorithm: ``"auto"`` (default: the avx512 target computes large
        3x3 stride-1 fp32 convs by Winograd F(2x2, 3x3), with transformed
        weights 16/9 the size) or ``"direct"`` (``--conv-algorithm``).
    output: also writes the artifact to this path.

    Raises :class:`CompileError` listing every problem (node, op, reason).
    The compile releases the GIL.
    """
    _compiler = _compiler_module()

    dims = dict(dims or {})
    input_shapes = dict(input_shapes or {})
    path, data, base_dir, proto = "", b"", "", None
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        if not os.path.exists(path):
            raise FileNotFoundError(f"aicc.compile: no model at '{path}'")
        if not path.endswith(".onnxtxt"):
            try:
                import onnx
                proto = onnx.load(path, load_external_data=False)
            except Exception:  # the compiler reports unreadable models
                proto = None
    elif isinstance(model, (bytes, bytearray, memoryview)):
        data = bytes(model)
        try:
            import onnx
            proto = onnx.load_from_string(data)
        except Exception:
            proto = None
    elif hasattr(model, "SerializeToString") and hasattr(model, "graph"):
        proto = model
        data = model.SerializeToString()
    else:
        raise TypeError("aicc.compile: model must be a path, bytes or an "
                        f"onnx.ModelProto, not {type(model).__name__}")
    if proto is not None:
        for symbol, value in _default_dims(proto, dims, input_shapes).items():
            dims.setdefault(symbol, value)

    value_specs = []
    for name, value in (input_values or {}).items():
        if isinstance(value, (str, os.PathLike)):
            value_specs.append(f"{name}=@{os.fspath(value)}")
        else:
            flat = np.asarray(value).reshape(-1)
            value_specs.append(f"{name}=" + ",".join(str(v.item()) for v in flat))

    artifact, diagnostics, report_text = _compiler.compile(
        path=path, model=data, base_dir=base_dir, target=target,
        opt_level=int(opt_level),
        input_shapes=[_shape_spec(n, s) for n, s in input_shapes.items()],
        dims=[_dim_spec(k, v) for k, v in dims.items()],
        input_values=value_specs, report=report or "", precision=precision,
        kv_cache=_kv_cache_spec(kv_cache), kv_cache_layout=kv_cache_layout,
        conv_algorithm=conv_algorithm)
    diagnostics = [_diagnostic(*d) for d in diagnostics]
    if artifact is None:
        raise CompileError(diagnostics)
    for d in diagnostics:
        print(f"aicc: {d}", file=sys.stderr)
    if report_text:
        sys.stderr.write(report_text)
    if output is not None:
        with open(output, "wb") as f:
            f.write(artifact)
    return artifact


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

def _dtype(name: str) -> np.dtype:
    """NumPy's dtype for a runtime element type; bfloat16, which NumPy lacks,
    travels as its raw bits in uint16 (``x.view(np.uint16)`` of an ml_dtypes
    array)."""
    try:
        return np.dtype(name)
    except TypeError:
        return np.dtype(np.uint16)


class TensorInfo(NamedTuple):
    """An input or output of a module's signature."""

    name: str
    dtype: np.dtype
    shape: Tuple[int, ...]


# Every session, closed at exit: their worker threads must stop before the
# interpreter and the libraries' static objects are torn down.
_live_sessions: "weakref.WeakSet" = weakref.WeakSet()


@atexit.register
def _close_sessions() -> None:
    for session in list(_live_sessions):
        session.close()


class Module:
    """A loaded artifact bound to a device; callable.

    ``module(x=array)`` or ``module.run({"x": array})`` returns a dict of
    NumPy arrays. Outputs are written by the runtime directly into freshly
    allocated arrays (or into ``out=`` arrays, no copy either way); inputs are
    read in place when C-contiguous and aligned, copied otherwise. Any number
    of threads may call a Module at once (each concurrent call runs on its own
    session).
    """

    def __init__(self, native, device: str = "auto", threads: int = 0):
        self._native = native
        self._device_request = device
        self._threads = int(threads)
        self.inputs: List[TensorInfo] = [
            TensorInfo(n, _dtype(d), tuple(s)) for n, d, s, _ in native.inputs]
        self.outputs: List[TensorInfo] = [
            TensorInfo(n, _dtype(d), tuple(s)) for n, d, s, _ in native.outputs]
        # The runtime's element type of each input ("i4", "f8e4m3fn", ...),
        # where NumPy's dtype (one byte) does not say the value range.
        self._input_elements = {n: e for n, _, _, e in native.inputs}
        self._input_names = [t.name for t in self.inputs]
        self._input_set = set(self._input_names)
        self._output_names = [t.name for t in self.outputs]
        self._output_specs = [(t.shape, t.dtype) for t in self.outputs]
        # Format 1.3 dynamic shapes: `shape`s are upper bounds; inputs may
        # have any shape within the symbols' ranges (symbols: name -> (min,
        # max)), outputs come back with their actual shapes.
        self.dynamic: bool = bool(native.dynamic)
        self.symbols: Dict[str, Tuple[int, int]] = {
            n: (lo, hi) for n, lo, hi in native.symbols}
        session = self._new_session()  # errors (device, features) surface here
        self.device: str = session.device
        self._sessions = [session]

    def _new_session(self):
        session = _runtime.Session(self._native, self._device_request, self._threads)
        _live_sessions.add(session)
        return session

    @property
    def properties(self) -> Dict[str, Any]:
        """The artifact's summary (producer, targets, counts, sizes)."""
        return self._native.properties

    def __repr__(self) -> str:
        sig = ", ".join(f"{t.name}: {t.dtype}{list(t.shape)}" for t in self.inputs)
        out = ", ".join(f"{t.name}: {t.dtype}{list(t.shape)}" for t in self.outputs)
        return f"<aicc.Module ({sig}) -> ({out}) on {self.device}>"

    def _inputs_in_order(self, feed: Mapping[str, Any]) -> list:
        try:
            args = [feed[name] for name in self._input_names]
        except KeyError:
            missing = [n for n in self._input_names if n not in feed]
            raise KeyError(f"aicc: missing input(s) {missing}; the module's inputs "
                           f"are {self._input_names}") from None
        if len(feed) != len(args):
            unknown = [n for n in feed if n not in self._input_set]
            raise KeyError(f"aicc: unknown input(s) {unknown}; the module's inputs "
                           f"are {self._input_names}")
        return args

    def _convert(self, index: int, value):
        """A C-contiguous, aligned array of input `index`'s dtype."""
        info = self.inputs[index]
        if isinstance(value, np.ndarray):
            if value.dtype != info.dtype:
                raise TypeError(f"aicc: input '{info.name}': expected {info.dtype}, "
                                f"got {value.dtype}")
            return np.require(value, requirements=("C", "A"))
        return np.require(np.asarray(value, dtype=info.dtype), requirements=("C", "A"))

    def _call(self, args: list, outs: list):
        """Runs; returns the output shapes of a dynamic module (else None)."""
        sessions = self._sessions
        session = sessions.pop() if sessions else self._new_session()
        try:
            try:
                index = session.run(args, outs)
                while index >= 0:
                    args[index] = self._convert(index, args[index])
                    index = session.run(args, outs)
            except TypeError:
                # Not arrays (lists, scalars): convert them all and retry once.
                args[:] = [self._convert(i, a) for i, a in enumerate(args)]
                session.run(args, outs)
            return session.output_shapes() if self.dynamic else None
        finally:
            sessions.append(session)

    def run(self, feed: Optional[Mapping[str, Any]] = None, *,
            out: Optional[Mapping[str, np.ndarray]] = None,
            **inputs: Any) -> Dict[str, np.ndarray]:
        """Runs the model once. `feed` maps input names to arrays (keyword
        arguments work too); `out` optionally maps output names to
        preallocated C-contiguous arrays to write into. Returns
        {output name: array}."""
        if feed is None:
            feed = inputs
        elif inputs:
            feed = {**feed, **inputs}
        args = self._inputs_in_order(feed)
        if out is None:
            outs = [np.empty(shape, dtype) for shape, dtype in self._output_specs]
        else:
            outs = [out[n] if n in out else np.empty(s, d)
                    for n, (s, d) in zip(self._output_names, self._output_specs)]
        shapes = self._call(args, outs)
        if shapes is not None:
            # The result is dense at the start of each (upper-bound) array.
            outs = [o if o.shape == s else
                    o.reshape(-1)[:int(np.prod(s, dtype=np.int64))].reshape(s)
                    for o, s in zip(outs, shapes)]
        return dict(zip(self._output_names, outs))

    def __call__(self, feed: Optional[Mapping[str, Any]] = None, **inputs: Any) -> Dict[str, np.ndarray]:
        return self.run(feed, **inputs)

    def random_inputs(self, seed: int = 0) -> Dict[str, np.ndarray]:
        """Inputs of the right shapes and dtypes: floats ~ N(0, 1), integers
        in [0, 10) (in [0, 2) for 2- and 4-bit integers), booleans random;
        float8/float4 inputs get bit patterns of finite values."""
        rng = np.random.default_rng(seed)
        feed = {}
        for t in self.inputs:
            element = self._input_elements.get(t.name, "")
            if element in ("i4", "u4", "i2", "u2"):
                feed[t.name] = rng.integers(0, 2, t.shape).astype(t.dtype)
            elif element.startswith("f8"):
                # Bit patterns 0x08-0x1f are small positive finite values in
                # every float8 encoding (E4M3, E5M2, their FNUZ forms, E8M0).
                feed[t.name] = rng.integers(0x08, 0x20, t.shape).astype(np.uint8)
            elif element.startswith("f4"):
                # Every float4 E2M1 value (low nibble) is finite.
                feed[t.name] = rng.integers(0, 16, t.shape).astype(np.uint8)
            elif t.dtype.kind == "f":
                feed[t.name] = rng.standard_normal(t.shape).astype(t.dtype)
            elif t.dtype.kind == "b":
                feed[t.name] = rng.integers(0, 2, t.shape).astype(bool)
            else:
                feed[t.name] = rng.integers(0, 10, t.shape).astype(t.dtype)
        return feed

    def benchmark(self, n: int = 100, feed: Optional[Mapping[str, Any]] = None,
                  warmup: int = 3) -> Dict[str, float]:
        """Times `n` runs (after `warmup`) of the C API in a loop without
        Python in between; `feed` defaults to random_inputs(). Returns
        mean/median/min/max in microseconds and runs."""
        feed = self.random_inputs() if feed is None else feed
        args = [self._convert(i, a) for i, a in enumerate(self._inputs_in_order(feed))]
        outs = [np.empty(s, d) for s, d in self._output_specs]
        sessions = self._sessions
        session = sessions.pop() if sessions else self._new_session()
        try:
            if warmup:
                session.benchmark(args, outs, int(warmup))
            times = [t / 1000.0 for t in session.benchmark(args, outs, int(n))]
        finally:
            sessions.append(session)
        return dict(runs=len(times), mean_us=statistics.fmean(times),
                    median_us=statistics.median(times), min_us=min(times),
                    max_us=max(times))

    def reset_state(self) -> None:
        """Zeroes persistent state (e.g. a KV cache) of every idle session
        (call it while no run is in flight)."""
        for session in self._sessions:
            session.reset_state()


def load(artifact: Union[str, os.PathLike, bytes, bytearray, memoryview],
         device: str = "auto", threads: int = 0) -> Module:
    """Loads an .aicc artifact (a path, or bytes as aicc.compile returns)
    and binds it to `device` ("auto": the best one the artifact was built
    for, or a name such as "cpu"). `threads`: size of the CPU thread pool
    including the caller, 0 = one per core available. Raises aicc.Error when
    the artifact does not verify or cannot run here."""
    if isinstance(artifact, (bytes, bytearray, memoryview)):
        native = _runtime.Module.load_bytes(bytes(artifact), "<bytes>")
    elif isinstance(artifact, (str, os.PathLike)):
        native = _runtime.Module.load_file(os.fspath(artifact))
    else:
        raise TypeError("aicc.load: expected a path or bytes, not "
                        f"{type(artifact).__name__}")
    return Module(native, device=device, threads=threads)


from ._session import onnx_session, InferenceSession  # noqa: E402
