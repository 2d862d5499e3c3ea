/* aicc-embed: loads an .aicc artifact, runs it once on inputs filled with
 * 0.5 (floats) or 1 (others), and prints each output's first values and sum.
 *
 *   aicc-embed model.aicc
 */
#include <aicc/runtime.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(call)                                                         \
  do {                                                                      \
    aicc_status_t status_ = (call);                                         \
    if (status_) {                                                          \
      fprintf(stderr, "aicc-embed: %s\n", aicc_status_message(status_));    \
      aicc_status_free(status_);                                            \
      return 1;                                                             \
    }                                                                       \
  } while (0)

/* Describes tensor `i` of the signature in `view`, with zeroed memory. */
static aicc_status_t make_view(const aicc_module_t *module, int is_input,
                               size_t i, aicc_tensor_view_t *view) {
  aicc_tensor_info_t info;
  aicc_status_t status = is_input ? aicc_module_input_info(module, i, &info)
                                  : aicc_module_output_info(module, i, &info);
  if (status)
    return status;
  *view = (aicc_tensor_view_t){calloc(1, info.byte_size + 1),
                               info.element_type, info.rank, info.dims,
                               info.byte_size};
  printf("%s %s: %s[%zu elements]\n", is_input ? "input" : "output",
         info.name, aicc_element_type_name(info.element_type),
         info.byte_size / aicc_element_type_size(info.element_type));
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: aicc-embed model.aicc\n");
    return 2;
  }
  aicc_runtime_t *runtime;
  aicc_module_t *module;
  aicc_session_t *session;
  CHECK(aicc_runtime_create(&runtime));
  CHECK(aicc_module_load_file(runtime, argv[1], &module));
  CHECK(aicc_session_create(module, NULL, &session));

  size_t n_in = aicc_module_input_count(module);
  size_t n_out = aicc_module_output_count(module);
  aicc_tensor_view_t inputs[16], outputs[16];
  if (n_in > 16 || n_out > 16)
    return fprintf(stderr, "aicc-embed: too many tensors\n"), 1;
  for (size_t i = 0; i < n_in; ++i) {
    CHECK(make_view(module, 1, i, &inputs[i]));
    size_t size = aicc_element_type_size(inputs[i].element_type);
    for (size_t b = 0; b < inputs[i].byte_size; b += size)
      if (inputs[i].element_type == AICC_ELEMENT_TYPE_F32)
        *(float *)((char *)inputs[i].data + b) = 0.5f;
      else
        *((char *)inputs[i].data + b) = 1; /* little endian: 1 */
  }
  for (size_t i = 0; i < n_out; ++i)
    CHECK(make_view(module, 0, i, &outputs[i]));

  CHECK(aicc_session_run(session, inputs, n_in, outputs, n_out));

  for (size_t i = 0; i < n_out; ++i) {
    aicc_tensor_info_t info;
    CHECK(aicc_module_output_info(module, i, &info));
    if (info.element_type != AICC_ELEMENT_TYPE_F32)
      continue;
    const float *values = outputs[i].data;
    size_t count = info.byte_size / sizeof(float);
    double sum = 0;
    for (size_t k = 0; k < count; ++k)
      sum += values[k];
    printf("%s: %g %g %g ... sum %.4f\n", info.name, values[0],
           count > 1 ? values[1] : 0.0, count > 2 ? values[2] : 0.0, sum);
  }
  for (size_t i = 0; i < n_in; ++i)
    free(inputs[i].data);
  for (size_t i = 0; i < n_out; ++i)
    free(outputs[i].data);
  aicc_session_destroy(session);
  aicc_module_release(module);
  aicc_runtime_release(runtime);
  return 0;
}
