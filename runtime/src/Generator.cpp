//===- Generator.cpp - Greedy decoding loop over a KV-cache session -------===//
//
// aicc_generator_* (runtime.h, docs/Runtime.md "Generation"): a host-side
// loop over a decoder module whose KV cache is a set of past inputs and
// present outputs. Every cache tensor has two host buffers of its upper
// bound size; after a run the present buffer becomes the next run's past
// (a swap, no copy). Written against the public C API, like an embedder
// would, except for two facts of the session: whether a past input is read
// at all and how many bytes a run wrote into state pools.
//
// A module compiled with --kv-cache has no present outputs: its cache is
// session state that the schedule appends to in place, and the past input
// only gives the cache's length by its shape. Then the generator passes the
// past inputs as shape-only views (data NULL, dims with the length), keeps
// the length, and aicc_generator_reset zeroes the state
// (aicc_session_reset_state).
//
//===----------------------------------------------------------------------===//

#include "aicc/runtime.h"

#include "src/Session.h"
#include "src/Status.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

using namespace aicc;

namespace {

struct HostBuffer {
  void *data = nullptr;
  size_t bytes = 0;
  ~HostBuffer() { std::free(data); }
  bool allocate(size_t size) {
    bytes = size;
    data = std::aligned_alloc(64, ((size ? size : 1) + 63) & ~size_t(63));
    if (data)
      std::memset(data, 0, bytes);
    return data != nullptr;
  }
};

struct CachePair {
  size_t input = 0, output = 0;
  /// The past-length axis of both tensors.
  size_t axis;
  /// past: what the next run reads; present: what it writes.
  std::unique_ptr<HostBuffer> past, present;
  std::vector<int64_t> pastDims;
  /// --kv-cache: the cache is session state; no present output, and the
  /// past input is read for its shape only.
  bool inPlace = false;
  /// Bytes of one position along the axis (every other dim x element size).
  uint64_t rowBytes = 0;
};

/// Fills `count` elements of `type` at `data` with `value`.
bool fillInteger(aicc_element_type_t type, void *data, size_t index,
                 int64_t value) {
  switch (type) {
  case AICC_ELEMENT_TYPE_I64:
    static_cast<int64_t *>(data)[index] = value;
    return true;
  case AICC_ELEMENT_TYPE_I32:
    static_cast<int32_t *>(data)[index] = static_cast<int32_t>(value);
    return true;
  case AICC_ELEMENT_TYPE_F32:
    static_cast<float *>(data)[index] = static_cast<float>(value);
    return true;
  case AICC_ELEMENT_TYPE_BOOL:
  case AICC_ELEMENT_TYPE_U8:
  case AICC_ELEMENT_TYPE_I8:
    static_cast<uint8_t *>(data)[index] = static_cast<uint8_t>(value);
    return true;
  default:
    return false;
  }
}

bool startsWith(const std::string &text, const char *prefix) {
  return text.compare(0, std::strlen(prefix), prefix) == 0;
}

} // namespace

struct aicc_generator_s {
  aicc_session_t *session = nullptr;
  aicc_module_t *module = nullptr;
  size_t inputCount = 0, outputCount = 0;
  std::vector<aicc_tensor_info_t> inputs, outputs;
  size_t ids = SIZE_MAX, mask = SIZE_MAX, positions = SIZE_MAX;
  size_t logits = SIZE_MAX;
  std::vector<CachePair> cache;
  /// Host buffers of the non-cache inputs and outputs (upper-bound size).
  std::vector<std::unique_ptr<HostBuffer>> inputBuffers, outputBuffers;
  std::vector<std::vector<int64_t>> inputDims;
  size_t length = 0;
  std::vector<float> lastLogits;
  aicc_generator_stats_t stats = {0, 0, 0, 0, 0};
};

namespace {

aicc_status_t generatorError(const char *format, const char *name,
                             const char *detail = "") {
  return makeStatus(AICC_STATUS_INVALID_ARGUMENT, format, name, detail);
}

/// The axis of a cache tensor that grows with the sequence: its one dim
/// that is a symbol other than the token input's batch symbol (axis 2 of a
/// rank-4 [batch, heads, past, head_dim] tensor when that is ambiguous).
size_t pastAxis(aicc_generator_t &g, size_t input) {
  int64_t batchSymbol = -3;
  if (g.inputs[g.ids].rank == 2)
    aicc_status_free(
        aicc_module_input_dim_symbol(g.module, g.ids, 0, &batchSymbol));
  std::vector<size_t> candidates;
  for (size_t d = 0; d < g.inputs[input].rank; ++d) {
    int64_t symbol = -1;
    aicc_status_free(aicc_module_input_dim_symbol(g.module, input, d, &symbol));
    if (symbol >= 0 && symbol != batchSymbol)
      candidates.push_back(d);
  }
  if (candidates.size() == 1)
    return candidates[0];
  return g.inputs[input].rank == 4 ? 2 : SIZE_MAX;
}

aicc_status_t findTensor(const std::vector<aicc_tensor_info_t> &tensors,
                         const std::string &name, size_t *out) {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (name == tensors[i].name) {
      *out = i;
      return nullptr;
    }
  return makeStatus(AICC_STATUS_NOT_FOUND, "no tensor named '%s'",
                    name.c_str());
}

aicc_status_t run(aicc_generator_t &g, const int64_t *tokens, size_t count) {
  size_t past = g.length;
  std::vector<aicc_tensor_view_t> inputViews(g.inputCount),
      outputViews(g.outputCount);
  std::vector<std::vector<int64_t>> dims(g.inputCount);
  for (size_t i = 0; i < g.inputCount; ++i)
    dims[i].assign(g.inputs[i].dims, g.inputs[i].dims + g.inputs[i].rank);
  // Token ids [1, count].
  const aicc_tensor_info_t &ids = g.inputs[g.ids];
  dims[g.ids] = {1, static_cast<int64_t>(count)};
  if (count * aicc_element_type_size(ids.element_type) > ids.byte_size)
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "%zu tokens do not fit input '%s' (at most %lld)", count,
                      ids.name, (long long)ids.dims[1]);
  for (size_t t = 0; t < count; ++t)
    fillInteger(ids.element_type, g.inputBuffers[g.ids]->data, t, tokens[t]);
  if (g.mask != SIZE_MAX) {
    const aicc_tensor_info_t &mask = g.inputs[g.mask];
    size_t total = past + count;
    if (total * aicc_element_type_size(mask.element_type) > mask.byte_size)
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "%zu tokens do not fit input '%s' (at most %lld)",
                        total, mask.name, (long long)mask.dims[1]);
    dims[g.mask] = {1, static_cast<int64_t>(total)};
    for (size_t t = 0; t < total; ++t)
      fillInteger(mask.element_type, g.inputBuffers[g.mask]->data, t, 1);
  }
  if (g.positions != SIZE_MAX) {
    const aicc_tensor_info_t &positions = g.inputs[g.positions];
    dims[g.positions] = {1, static_cast<int64_t>(count)};
    if (count * aicc_element_type_size(positions.element_type) >
        positions.byte_size)
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "%zu tokens do not fit input '%s'", count,
                        positions.name);
    for (size_t t = 0; t < count; ++t)
      fillInteger(positions.element_type, g.inputBuffers[g.positions]->data, t,
                  static_cast<int64_t>(past + t));
  }
  uint64_t cacheBytes = 0, newBytes = 0;
  for (CachePair &pair : g.cache) {
    dims[pair.input] = pair.pastDims;
    newBytes += count * pair.rowBytes;
    if (!pair.inPlace) // past in, present (past + count) out
      cacheBytes += (2 * past + count) * pair.rowBytes;
  }
  for (size_t i = 0; i < g.inputCount; ++i) {
    const aicc_tensor_info_t &info = g.inputs[i];
    HostBuffer *buffer = g.inputBuffers[i].get();
    bool shapeOnly = false;
    for (CachePair &pair : g.cache)
      if (pair.input == i) {
        buffer = pair.past.get();
        shapeOnly = pair.inPlace;
      }
    if (shapeOnly)
      inputViews[i] = {nullptr, info.element_type, info.rank, dims[i].data(),
                       0};
    else
      inputViews[i] = {buffer->data, info.element_type, info.rank,
                       dims[i].data(), buffer->bytes};
  }
  for (size_t o = 0; o < g.outputCount; ++o) {
    const aicc_tensor_info_t &info = g.outputs[o];
    HostBuffer *buffer = g.outputBuffers[o].get();
    for (CachePair &pair : g.cache)
      if (!pair.inPlace && pair.output == o)
        buffer = pair.present.get();
    outputViews[o] = {buffer->data, info.element_type, info.rank, info.dims,
                      buffer->bytes};
  }
  AICC_RETURN_IF_ERROR(aicc_session_run(g.session, inputViews.data(),
                                        inputViews.size(), outputViews.data(),
                                        outputViews.size()));
  bool inPlace = false;
  for (CachePair &pair : g.cache)
    inPlace |= pair.inPlace;
  if (inPlace)
    cacheBytes += reinterpret_cast<const Session *>(g.session)
                      ->stateBytesLastRun();
  const Session *session = reinterpret_cast<const Session *>(g.session);
  g.stats = {cacheBytes, newBytes, inPlace ? 1 : 0,
             inPlace ? session->kvCommittedBytes() : 0,
             inPlace ? session->kvReservedBytes() : 0};
  // The present tensors become the past.
  for (CachePair &pair : g.cache) {
    if (pair.inPlace) {
      pair.pastDims[pair.axis] = static_cast<int64_t>(past + count);
      continue;
    }
    std::vector<int64_t> shape(g.outputs[pair.output].rank);
    size_t rank = 0;
    AICC_RETURN_IF_ERROR(aicc_session_output_shape(
        g.session, pair.output, shape.data(), shape.size(), &rank));
    if (rank != pair.pastDims.size() ||
        shape[pair.axis] != static_cast<int64_t>(past + count))
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "output '%s' has %lld entries along axis %zu after "
                        "%zu tokens; it does not extend input '%s' by the "
                        "new tokens",
                        g.outputs[pair.output].name,
                        (long long)shape[pair.axis], pair.axis, past + count,
                        g.inputs[pair.input].name);
    pair.pastDims = shape;
    std::swap(pair.past, pair.present);
  }
  g.length = past + count;
  // Logits of the last token.
  std::vector<int64_t> shape(g.outputs[g.logits].rank);
  size_t rank = 0;
  AICC_RETURN_IF_ERROR(aicc_session_output_shape(
      g.session, g.logits, shape.data(), shape.size(), &rank));
  int64_t vocabulary = shape.back();
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < rank; ++d)
    rows *= shape[d];
  const float *all =
      static_cast<const float *>(g.outputBuffers[g.logits]->data);
  // [1, count, V]: the last row; [1, V]: the only one.
  const float *last = all + (rows - 1) * vocabulary;
  g.lastLogits.assign(last, last + vocabulary);
  return nullptr;
}

} // namespace

void aicc_generator_options_init(aicc_generator_options_t *options) {
  if (!options)
    return;
  std::memset(options, 0, sizeof(*options));
  options->struct_size = sizeof(*options);
}

aicc_status_t aicc_generator_create(aicc_session_t *session,
                                    const aicc_generator_options_t *options,
                                    aicc_generator_t **out_generator) {
  if (!session || !out_generator)
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "aicc_generator_create: session and out_generator must "
                      "not be NULL");
  aicc_generator_options_t defaults;
  aicc_generator_options_init(&defaults);
  if (options) // Members the caller's header knows.
    std::memcpy(&defaults, options,
                std::min(options->struct_size, sizeof(defaults)));
  std::unique_ptr<aicc_generator_t> g(new (std::nothrow) aicc_generator_t());
  if (!g)
    return makeStatus(AICC_STATUS_OUT_OF_MEMORY, "out of memory");
  g->session = session;
  g->module = aicc_session_module(session);
  g->inputCount = aicc_module_input_count(g->module);
  g->outputCount = aicc_module_output_count(g->module);
  g->inputs.resize(g->inputCount);
  g->outputs.resize(g->outputCount);
  for (size_t i = 0; i < g->inputCount; ++i)
    AICC_RETURN_IF_ERROR(aicc_module_input_info(g->module, i, &g->inputs[i]));
  for (size_t o = 0; o < g->outputCount; ++o)
    AICC_RETURN_IF_ERROR(aicc_module_output_info(g->module, o, &g->outputs[o]));

  std::string idsName = defaults.input_ids ? defaults.input_ids : "input_ids";
  std::string logitsName = defaults.logits ? defaults.logits : "logits";
  if (aicc_status_t status = findTensor(g->inputs, idsName, &g->ids))
    return annotateStatus(status, "generation: the token input");
  if (aicc_status_t status = findTensor(g->outputs, logitsName, &g->logits))
    return annotateStatus(status, "generation: the logits output");
  const aicc_tensor_info_t &ids = g->inputs[g->ids];
  if (ids.rank != 2 || (ids.element_type != AICC_ELEMENT_TYPE_I64 &&
                        ids.element_type != AICC_ELEMENT_TYPE_I32))
    return generatorError("generation: input '%s' must be i64 or i32 "
                          "[batch, sequence]%s",
                          ids.name);
  if (g->outputs[g->logits].element_type != AICC_ELEMENT_TYPE_F32 ||
      g->outputs[g->logits].rank < 2)
    return generatorError("generation: output '%s' must be f32 [batch, "
                          "sequence, vocabulary]%s",
                          g->outputs[g->logits].name);
  {
    size_t index;
    if (aicc_status_t status = findTensor(g->inputs, "attention_mask", &index))
      aicc_status_free(status);
    else
      g->mask = index;
    if (aicc_status_t status = findTensor(g->inputs, "position_ids", &index))
      aicc_status_free(status);
    else
      g->positions = index;
  }

  // Cache pairs.
  std::vector<std::pair<std::string, std::string>> names;
  if (defaults.kv_cache && *defaults.kv_cache) {
    std::string spec = defaults.kv_cache;
    size_t start = 0;
    while (start <= spec.size()) {
      size_t end = spec.find(',', start);
      if (end == std::string::npos)
        end = spec.size();
      std::string item = spec.substr(start, end - start);
      size_t colon = item.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == item.size())
        return generatorError("generation: cache pair '%s' is not "
                              "PAST:PRESENT%s",
                              item.c_str());
      names.push_back({item.substr(0, colon), item.substr(colon + 1)});
      start = end + 1;
    }
  } else {
    for (const aicc_tensor_info_t &input : g->inputs) {
      std::string name = input.name;
      std::string suffix;
      if (startsWith(name, "past_key_values."))
        suffix = name.substr(16);
      else if (startsWith(name, "past."))
        suffix = name.substr(5);
      else
        continue;
      names.push_back({name, "present." + suffix});
    }
  }
  const Session *session_ = reinterpret_cast<const Session *>(session);
  for (const auto &[pastName, presentName] : names) {
    CachePair pair;
    if (aicc_status_t status = findTensor(g->inputs, pastName, &pair.input))
      return annotateStatus(status, "generation: cache input");
    // --kv-cache modules: the present output is gone and the past input is
    // read for its shape only.
    pair.inPlace = !session_->inputIsRead(pair.input);
    if (pair.inPlace) {
      pair.output = SIZE_MAX;
    } else if (aicc_status_t status =
                   findTensor(g->outputs, presentName, &pair.output)) {
      return annotateStatus(status, "generation: the present output of '%s'",
                            pastName.c_str());
    }
    const aicc_tensor_info_t &in = g->inputs[pair.input];
    const aicc_tensor_info_t &out =
        pair.inPlace ? in : g->outputs[pair.output];
    if (in.element_type != out.element_type || in.rank != out.rank)
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "generation: cache input '%s' and output '%s' differ "
                        "in element type or rank",
                        in.name, out.name);
    pair.axis = pastAxis(*g, pair.input);
    if (pair.axis == SIZE_MAX)
      return generatorError("generation: cannot tell which axis of cache "
                            "input '%s' is the past length (no single "
                            "dynamic dim)%s",
                            in.name);
    pair.rowBytes = aicc_element_type_size(in.element_type);
    for (size_t d = 0; d < in.rank; ++d)
      if (d != pair.axis)
        pair.rowBytes *= static_cast<uint64_t>(in.dims[d]);
    pair.past.reset(new (std::nothrow) HostBuffer());
    pair.present.reset(new (std::nothrow) HostBuffer());
    // Both buffers serve as past and present: the larger size (none when
    // the cache is session state).
    size_t bytes =
        pair.inPlace ? 0 : std::max(in.byte_size, out.byte_size);
    if (!pair.past || !pair.present || !pair.past->allocate(bytes) ||
        !pair.present->allocate(bytes))
      return makeStatus(AICC_STATUS_OUT_OF_MEMORY,
                        "generation: cannot allocate the cache '%s'", in.name);
    // Empty past; any other dynamic dim is the batch: 1.
    pair.pastDims.assign(in.dims, in.dims + in.rank);
    for (size_t d = 0; d < in.rank; ++d) {
      int64_t symbol = -1;
      aicc_status_free(
          aicc_module_input_dim_symbol(g->module, pair.input, d, &symbol));
      if (symbol >= 0)
        pair.pastDims[d] = 1;
    }
    pair.pastDims[pair.axis] = 0;
    g->cache.push_back(std::move(pair));
  }
  for (size_t i = 0; i < g->inputCount; ++i) {
    bool isCache = false;
    for (const CachePair &pair : g->cache)
      isCache |= pair.input == i;
    if (!isCache && i != g->ids && i != g->mask && i != g->positions)
      return generatorError("generation: input '%s' is none of the token "
                            "ids, attention_mask, position_ids or a cache "
                            "input (pass the cache pairs explicitly)%s",
                            g->inputs[i].name);
    g->inputBuffers.emplace_back(new (std::nothrow) HostBuffer());
    if (!g->inputBuffers.back() ||
        !g->inputBuffers.back()->allocate(isCache ? 0 : g->inputs[i].byte_size))
      return makeStatus(AICC_STATUS_OUT_OF_MEMORY, "out of memory");
  }
  for (size_t o = 0; o < g->outputCount; ++o) {
    bool isCache = false;
    for (const CachePair &pair : g->cache)
      isCache |= pair.output == o;
    g->outputBuffers.emplace_back(new (std::nothrow) HostBuffer());
    if (!g->outputBuffers.back() || !g->outputBuffers.back()->allocate(
                                        isCache ? 0 : g->outputs[o].byte_size))
      return makeStatus(AICC_STATUS_OUT_OF_MEMORY, "out of memory");
  }
  *out_generator = g.release();
  return nullptr;
}

void aicc_generator_destroy(aicc_generator_t *generator) { delete generator; }

aicc_status_t aicc_generator_reset(aicc_generator_t *generator) {
  if (!generator)
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "aicc_generator_reset: generator is NULL");
  generator->length = 0;
  bool inPlace = false;
  for (CachePair &pair : generator->cache) {
    pair.pastDims[pair.axis] = 0;
    inPlace |= pair.inPlace;
  }
  // The state's rows past the length are never read; zeroing it keeps a
  // new sequence independent of the last one anyway.
  if (inPlace)
    return aicc_session_reset_state(generator->session);
  return nullptr;
}

aicc_status_t aicc_generator_prefill(aicc_generator_t *generator,
                                     const int64_t *tokens, size_t count,
                                     const float **out_logits,
                                     size_t *out_vocabulary) {
  if (!generator || (!tokens && count) || !out_logits || !out_vocabulary)
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "aicc_generator_prefill: NULL argument");
  if (count == 0)
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "aicc_generator_prefill: no tokens");
  AICC_RETURN_IF_ERROR(run(*generator, tokens, count));
  *out_logits = generator->lastLogits.data();
  *out_vocabulary = generator->lastLogits.size();
  return nullptr;
}

aicc_status_t aicc_generator_step(aicc_generator_t *generator, int64_t token,
                                  const float **out_logits,
                                  size_t *out_vocabulary) {
  return aicc_generator_prefill(generator, &token, 1, out_logits,
                                out_vocabulary);
}

size_t aicc_generator_length(const aicc_generator_t *generator) {
  return generator ? generator->length : 0;
}

aicc_status_t aicc_generator_stats(const aicc_generator_t *generator,
                                   aicc_generator_stats_t *out_stats) {
  if (!generator || !out_stats)
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "aicc_generator_stats: NULL argument");
  *out_stats = generator->stats;
  return nullptr;
}
