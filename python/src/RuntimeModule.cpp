//===- RuntimeModule.cpp - aicc._runtime: the runtime C API in Python -----===//
//
// A thin layer over aicc/runtime.h for aicc/__init__.py. The hot path,
// Session.run, reads NumPy arrays through the buffer protocol: inputs are
// used in place when C-contiguous and aligned to their element size, outputs
// are written directly into the caller's preallocated arrays, and the GIL is
// released while the schedule runs. Everything else (dict handling, output
// allocation, conversions) lives in Python.
//
//===----------------------------------------------------------------------===//

#include "ElementType.h"
#include "aicc/runtime.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace nb = nanobind;

namespace {

/// An aicc_status_t turned into a Python exception (aicc._runtime.Error).
struct StatusError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Throws StatusError for a failed status (and frees it).
void check(aicc_status_t status, const char *what) {
  if (!status)
    return;
  std::string message = std::string(what) + ": " +
                        aicc_status_code_name(aicc_status_code(status)) +
                        ": " + aicc_status_message(status);
  aicc_status_free(status);
  throw StatusError(message);
}

/// The process-wide runtime, created on first use.
aicc_runtime_t *getRuntime() {
  static aicc_runtime_t *runtime = [] {
    aicc_runtime_t *created = nullptr;
    check(aicc_runtime_create(&created), "cannot create the aicc runtime");
    return created;
  }();
  return runtime;
}

/// NumPy's dtype name of an element type ("" when NumPy has none).
const char *numpyName(aicc_element_type_t type) {
  switch (type) {
  case AICC_ELEMENT_TYPE_F32: return "float32";
  case AICC_ELEMENT_TYPE_F64: return "float64";
  case AICC_ELEMENT_TYPE_F16: return "float16";
  case AICC_ELEMENT_TYPE_BF16: return "bfloat16";
  case AICC_ELEMENT_TYPE_I8: return "int8";
  case AICC_ELEMENT_TYPE_I16: return "int16";
  case AICC_ELEMENT_TYPE_I32: return "int32";
  case AICC_ELEMENT_TYPE_I64: return "int64";
  case AICC_ELEMENT_TYPE_U8: return "uint8";
  case AICC_ELEMENT_TYPE_U16: return "uint16";
  case AICC_ELEMENT_TYPE_U32: return "uint32";
  case AICC_ELEMENT_TYPE_U64: return "uint64";
  case AICC_ELEMENT_TYPE_BOOL: return "bool";
  // NumPy has no float8/float4/int4/int2: one byte per element (bit
  // patterns for the float types, docs/Artifact.md).
  case AICC_ELEMENT_TYPE_F8E4M3FN:
  case AICC_ELEMENT_TYPE_F8E4M3FNUZ:
  case AICC_ELEMENT_TYPE_F8E5M2:
  case AICC_ELEMENT_TYPE_F8E5M2FNUZ:
  case AICC_ELEMENT_TYPE_F8E8M0FNU:
  case AICC_ELEMENT_TYPE_F4E2M1FN:
  case AICC_ELEMENT_TYPE_U4:
  case AICC_ELEMENT_TYPE_U2: return "uint8";
  case AICC_ELEMENT_TYPE_I4:
  case AICC_ELEMENT_TYPE_I2: return "int8";
  default: return "";
  }
}

/// Whether a buffer-protocol format string denotes `type` (native order).
bool formatMatches(const char *format, aicc_element_type_t type,
                   Py_ssize_t itemsize) {
  if (!format)
    format = "B";
  if (*format == '@' || *format == '=' || *format == '<')
    ++format;
  if (format[0] == 0 || format[1] != 0)
    return false;
  size_t size = aicc_element_type_size(type);
  if ((size_t)itemsize != size)
    return false;
  char c = *format;
  switch (type) {
  case AICC_ELEMENT_TYPE_F32:
  case AICC_ELEMENT_TYPE_F64:
    return c == 'f' || c == 'd';
  case AICC_ELEMENT_TYPE_F16:
    return c == 'e';
  case AICC_ELEMENT_TYPE_BF16:
    // NumPy has no bfloat16: its bits travel as uint16.
    return c == 'H';
  case AICC_ELEMENT_TYPE_I8:
  case AICC_ELEMENT_TYPE_I16:
  case AICC_ELEMENT_TYPE_I32:
  case AICC_ELEMENT_TYPE_I64:
    return c == 'b' || c == 'h' || c == 'i' || c == 'l' || c == 'q';
  case AICC_ELEMENT_TYPE_U8:
  case AICC_ELEMENT_TYPE_U16:
  case AICC_ELEMENT_TYPE_U32:
  case AICC_ELEMENT_TYPE_U64:
    return c == 'B' || c == 'H' || c == 'I' || c == 'L' || c == 'Q';
  case AICC_ELEMENT_TYPE_BOOL:
    return c == '?';
  case AICC_ELEMENT_TYPE_I4:
  case AICC_ELEMENT_TYPE_I2:
    return c == 'b' || c == 'B';
  case AICC_ELEMENT_TYPE_F8E4M3FN:
  case AICC_ELEMENT_TYPE_F8E4M3FNUZ:
  case AICC_ELEMENT_TYPE_F8E5M2:
  case AICC_ELEMENT_TYPE_F8E5M2FNUZ:
  case AICC_ELEMENT_TYPE_F8E8M0FNU:
  case AICC_ELEMENT_TYPE_F4E2M1FN:
  case AICC_ELEMENT_TYPE_U4:
  case AICC_ELEMENT_TYPE_U2:
    return c == 'B';
  default:
    return false;
  }
}

struct TensorInfo {
  std::string name;
  aicc_element_type_t type;
  std::vector<int64_t> dims;
  size_t byteSize;
};

/// A loaded artifact (aicc_module_t).
class Module {
public:
  explicit Module(aicc_module_t *module)
      : module(module), dynamic(aicc_module_is_dynamic(module) != 0) {
    for (int isInput = 1; isInput >= 0; --isInput) {
      size_t count = isInput ? aicc_module_input_count(module)
                             : aicc_module_output_count(module);
      for (size_t i = 0; i < count; ++i) {
        aicc_tensor_info_t info;
        check(isInput ? aicc_module_input_info(module, i, &info)
                      : aicc_module_output_info(module, i, &info),
              "cannot read the signature");
        TensorInfo t{info.name, info.element_type,
                     std::vector<int64_t>(info.dims, info.dims + info.rank),
                     info.byte_size};
        (isInput ? inputs : outputs).push_back(std::move(t));
      }
    }
  }
  Module(const Module &) = delete;
  ~Module() { aicc_module_release(module); }

  static Module *loadFile(const std::string &path) {
    aicc_module_t *module = nullptr;
    check(aicc_module_load_file(getRuntime(), path.c_str(), &module),
          ("cannot load '" + path + "'").c_str());
    return new Module(module);
  }

  static Module *loadBytes(nb::bytes data, const std::string &name) {
    aicc_module_t *module = nullptr;
    check(aicc_module_load_memory(getRuntime(), data.c_str(), data.size(),
                                  AICC_MEMORY_COPY, name.c_str(), &module),
          ("cannot load " + name).c_str());
    return new Module(module);
  }

  /// (name, numpy dtype name, shape) for each input or output.
  static nb::list describe(const std::vector<TensorInfo> &tensors) {
    nb::list result;
    for (const TensorInfo &t : tensors) {
      nb::list shape;
      for (int64_t d : t.dims)
        shape.append(d);
      result.append(nb::make_tuple(t.name, numpyName(t.type),
                                   nb::tuple(shape),
                                   aicc_element_type_name(t.type)));
    }
    return result;
  }

  nb::dict properties() const {
    aicc_module_properties_t p;
    check(aicc_module_properties(module, &p), "cannot read the properties");
    nb::dict d;
    d["version"] = nb::make_tuple(p.version_major, p.version_minor);
    d["producer"] = p.producer;
    d["name"] = p.name;
    d["targets"] = p.targets;
    d["executables"] = p.executable_count;
    d["constants"] = p.constant_count;
    d["constant_bytes"] = p.constant_bytes;
    d["commands"] = p.command_count;
    d["dispatches"] = p.dispatch_count;
    d["file_size"] = p.file_size;
    return d;
  }

  aicc_module_t *module;
  /// Format 1.3 dynamic shapes: dims are upper bounds, runs take any shape
  /// in range (the runtime checks) and report the output shapes.
  bool dynamic;
  std::vector<TensorInfo> inputs, outputs;
};

/// Holds Py_buffers of one call and releases them.
class Buffers {
public:
  explicit Buffers(size_t n) : buffers(n) {}
  ~Buffers() {
    for (size_t i = 0; i < taken; ++i)
      PyBuffer_Release(&buffers[i]);
  }
  Py_buffer &next() { return buffers[taken]; }
  void commit() { ++taken; }
  std::vector<Py_buffer> buffers;
  size_t taken = 0;
};

/// A module bound to a device (aicc_session_t). One run at a time.
class Session {
public:
  Session(Module &module, nb::object owner, const std::string &device,
          uint32_t threads)
      : module(module), owner(std::move(owner)) {
    aicc_session_options_t options;
    aicc_session_options_init(&options);
    options.device = device.c_str();
    options.num_threads = threads;
    check(aicc_session_create(module.module, &options, &session),
          "cannot create a session");
  }
  Session(const Session &) = delete;
  ~Session() { close(); }

  /// Destroys the session now (stops its thread pool); later calls fail.
  /// aicc/__init__.py closes every session at exit, before the interpreter
  /// and the libraries' static objects go away under running worker threads.
  void close() {
    aicc_session_destroy(session);
    session = nullptr;
  }

  void checkOpen() const {
    if (!session)
      throw nb::value_error("the session is closed");
  }

  std::string device() const {
    checkOpen();
    aicc_device_info_t info;
    check(aicc_session_device_info(session, &info), "cannot read the device");
    return info.name;
  }

  /// Views `arrays` (a list) as the module's inputs or outputs. Returns the
  /// index of an input that must be copied first (not C-contiguous or not
  /// aligned), or -1 when all views are ready.
  Py_ssize_t view(nb::handle arrays, const std::vector<TensorInfo> &infos,
                  bool isOutput, Buffers &buffers,
                  std::vector<aicc_tensor_view_t> &views,
                  std::vector<std::vector<int64_t>> &shapes) {
    const char *what = isOutput ? "output" : "input";
    if (!PyList_Check(arrays.ptr()) ||
        (size_t)PyList_GET_SIZE(arrays.ptr()) != infos.size())
      throw nb::value_error(("expected a list of " +
                             std::to_string(infos.size()) + " " + what +
                             " arrays")
                                .c_str());
    views.resize(infos.size());
    shapes.resize(infos.size());
    for (size_t i = 0; i < infos.size(); ++i) {
      const TensorInfo &info = infos[i];
      PyObject *item = PyList_GET_ITEM(arrays.ptr(), i);
      Py_buffer &buffer = buffers.next();
      int flags = PyBUF_FORMAT | PyBUF_STRIDES |
                  (isOutput ? PyBUF_WRITABLE : 0);
      if (PyObject_GetBuffer(item, &buffer, flags) != 0) {
        PyErr_Clear();
        throw nb::type_error((std::string(what) + " '" + info.name +
                              "': expected a " +
                              (isOutput ? "writable " : "") +
                              "NumPy array of " + numpyName(info.type))
                                 .c_str());
      }
      buffers.commit();
      if (!formatMatches(buffer.format, info.type, buffer.itemsize)) {
        std::string format = buffer.format ? buffer.format : "B";
        throw nb::type_error((std::string(what) + " '" + info.name +
                              "': expected element type " +
                              numpyName(info.type) + ", got buffer format '" +
                              format + "'")
                                 .c_str());
      }
      bool shapeOk = (size_t)buffer.ndim == info.dims.size();
      // A dynamic module: the runtime checks dims against the symbols.
      for (size_t d = 0; shapeOk && d < info.dims.size() && !module.dynamic;
           ++d)
        shapeOk = buffer.shape[d] == info.dims[d];
      if (!shapeOk) {
        std::string got = "(", want = "(";
        for (int d = 0; d < buffer.ndim; ++d)
          got += (d ? ", " : "") + std::to_string(buffer.shape[d]);
        for (size_t d = 0; d < info.dims.size(); ++d)
          want += (d ? ", " : "") + std::to_string(info.dims[d]);
        got += buffer.ndim == 1 ? ",)" : ")";
        want += info.dims.size() == 1 ? ",)" : ")";
        throw nb::value_error((std::string(what) + " '" + info.name +
                               "': expected shape " + want + ", got " + got)
                                  .c_str());
      }
      if (!PyBuffer_IsContiguous(&buffer, 'C') ||
          reinterpret_cast<uintptr_t>(buffer.buf) % buffer.itemsize) {
        if (isOutput)
          throw nb::value_error((std::string("output '") + info.name +
                                 "': the array must be C-contiguous and "
                                 "aligned")
                                    .c_str());
        return (Py_ssize_t)i;
      }
      int lo, hi;
      if (!isOutput && aicc::narrowIntRange(info.type, &lo, &hi)) {
        // An int4 input holding 100 is an error, never a silent wrap.
        bool isSigned = buffer.format && std::strchr(buffer.format, 'b');
        const uint8_t *bytes = static_cast<const uint8_t *>(buffer.buf);
        size_t count = module.dynamic ? (size_t)buffer.len : info.byteSize;
        for (size_t k = 0; k < count; ++k) {
          int v = isSigned ? int(int8_t(bytes[k])) : int(bytes[k]);
          if (v < lo || v > hi)
            throw nb::value_error(
                (std::string("input '") + info.name + "': element " +
                 std::to_string(k) + " is " + std::to_string(v) +
                 ", outside the range [" + std::to_string(lo) + ", " +
                 std::to_string(hi) + "] of " +
                 aicc_element_type_name(info.type))
                    .c_str());
        }
      }
      if (module.dynamic) {
        shapes[i].assign(buffer.shape, buffer.shape + buffer.ndim);
        views[i] = aicc_tensor_view_t{buffer.buf, info.type, shapes[i].size(),
                                      shapes[i].data(), (size_t)buffer.len};
      } else {
        views[i] = aicc_tensor_view_t{buffer.buf, info.type, info.dims.size(),
                                      info.dims.data(), info.byteSize};
      }
    }
    return -1;
  }

  /// Runs once: `inputs` and `outputs` are lists in signature order. Returns
  /// -1, or the index of an input to copy (nothing ran).
  Py_ssize_t run(nb::handle inputs, nb::handle outputs) {
    checkOpen();
    // Local views: two threads calling one Session object must not share
    // them (the runtime answers the second BUSY).
    std::vector<aicc_tensor_view_t> inputViews, outputViews;
    std::vector<std::vector<int64_t>> inputShapes, outputShapes;
    Buffers buffers(module.inputs.size() + module.outputs.size());
    Py_ssize_t copy =
        view(inputs, module.inputs, false, buffers, inputViews, inputShapes);
    if (copy >= 0)
      return copy;
    view(outputs, module.outputs, true, buffers, outputViews, outputShapes);
    aicc_status_t status;
    {
      nb::gil_scoped_release release;
      status = aicc_session_run(session, inputViews.data(), inputViews.size(),
                                outputViews.data(), outputViews.size());
    }
    check(status, "run failed");
    return -1;
  }

  /// Runs `n` times; returns the wall time of each run in nanoseconds, as
  /// the C API sees it (no Python in the loop).
  std::vector<int64_t> benchmark(nb::handle inputs, nb::handle outputs,
                                 size_t n) {
    checkOpen();
    std::vector<aicc_tensor_view_t> inputViews, outputViews;
    std::vector<std::vector<int64_t>> inputShapes, outputShapes;
    Buffers buffers(module.inputs.size() + module.outputs.size());
    if (view(inputs, module.inputs, false, buffers, inputViews, inputShapes) >=
        0)
      throw nb::value_error("benchmark inputs must be C-contiguous");
    view(outputs, module.outputs, true, buffers, outputViews, outputShapes);
    std::vector<int64_t> times(n);
    aicc_status_t status = nullptr;
    {
      nb::gil_scoped_release release;
      for (size_t i = 0; i < n && !status; ++i) {
        auto start = std::chrono::steady_clock::now();
        status = aicc_session_run(session, inputViews.data(),
                                  inputViews.size(), outputViews.data(),
                                  outputViews.size());
        times[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
      }
    }
    check(status, "run failed");
    return times;
  }

  /// The output shapes of the latest run (dynamic modules).
  nb::list outputShapes() const {
    checkOpen();
    nb::list result;
    for (size_t o = 0; o < module.outputs.size(); ++o) {
      std::vector<int64_t> dims(module.outputs[o].dims.size());
      size_t rank = 0;
      check(aicc_session_output_shape(session, o, dims.data(), dims.size(),
                                      &rank),
            "output shape");
      nb::list shape;
      for (size_t d = 0; d < rank; ++d)
        shape.append(dims[d]);
      result.append(nb::tuple(shape));
    }
    return result;
  }

  void resetState() {
    checkOpen();
    check(aicc_session_reset_state(session), "reset");
  }

  Module &module;
  nb::object owner; // keeps the Module alive
  aicc_session_t *session = nullptr;
};

} // namespace

NB_MODULE(_runtime, m) {
  m.doc() = "aicc runtime bindings (internal; use the aicc package)";
  nb::exception<StatusError>(m, "Error", PyExc_RuntimeError);
  m.attr("version") = aicc_runtime_version();

  m.def("devices", [] {
    nb::list result;
    aicc_runtime_t *runtime = getRuntime();
    for (size_t i = 0, e = aicc_runtime_device_count(runtime); i < e; ++i) {
      aicc_device_info_t info;
      check(aicc_runtime_device_info(runtime, i, &info), "device info");
      result.append(nb::make_tuple(info.name, aicc_device_kind_name(info.kind),
                                   info.description, info.concurrency));
    }
    return result;
  });

  nb::class_<Module>(m, "Module")
      .def_static("load_file", &Module::loadFile, nb::arg("path"),
                  nb::rv_policy::take_ownership)
      .def_static("load_bytes", &Module::loadBytes, nb::arg("data"),
                  nb::arg("name"), nb::rv_policy::take_ownership)
      .def_prop_ro("inputs",
                   [](Module &self) { return Module::describe(self.inputs); })
      .def_prop_ro("outputs",
                   [](Module &self) { return Module::describe(self.outputs); })
      .def_prop_ro("properties", &Module::properties)
      .def_prop_ro("dynamic", [](Module &self) { return self.dynamic; })
      .def_prop_ro("symbols", [](Module &self) {
        nb::list result;
        for (size_t i = 0, e = aicc_module_symbol_count(self.module); i < e;
             ++i) {
          aicc_symbol_info_t info;
          check(aicc_module_symbol_info(self.module, i, &info), "symbols");
          result.append(nb::make_tuple(info.name, info.min, info.max));
        }
        return result;
      });

  nb::class_<Session>(m, "Session", nb::is_weak_referenceable())
      .def(
          "__init__",
          [](Session *self, nb::handle module, const std::string &device,
             uint32_t threads) {
            Module &native = nb::cast<Module &>(module);
            new (self) Session(native, nb::borrow(module), device, threads);
          },
          nb::arg("module"), nb::arg("device"), nb::arg("threads"))
      .def_prop_ro("device", &Session::device)
      .def("run", &Session::run, nb::arg("inputs"), nb::arg("outputs"))
      .def("benchmark", &Session::benchmark, nb::arg("inputs"),
           nb::arg("outputs"), nb::arg("n"))
      .def("output_shapes", &Session::outputShapes)
      .def("reset_state", &Session::resetState)
      .def("close", &Session::close);
}
