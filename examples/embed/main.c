/* aicc-embed: loads an .aicc artifact, runs it once on inputs whose bytes
 * are all 0x3f (0.75 as f32), and prints each f32 output's sum.
 *
 *   aicc-embed model.aicc
 */
#include <aicc/runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                          \
  do {                                                                       \
    aicc_status_t status_ = (call);                                          \
    if (status_) {                                                           \
      fprintf(stderr, "aicc-embed: %s\n", aicc_status_message(status_));     \
      return 1;                                                              \
    }                                                                        \
  } while (0)

int main(int argc, char **argv) {
  aicc_runtime_t *runtime;
  aicc_module_t *module;
  aicc_session_t *session;
  if (argc != 2)
    return fprintf(stderr, "usage: aicc-embed model.aicc\n"), 2;
  CHECK(aicc_runtime_create(&runtime));
  CHECK(aicc_module_load_file(runtime, argv[1], &module));
  CHECK(aicc_session_create(module, /*options=*/NULL, &session));

  /* One caller-owned buffer per tensor of the signature. */
  size_t n_in = aicc_module_input_count(module);
  size_t n_out = aicc_module_output_count(module);
  aicc_tensor_view_t views[32];
  aicc_tensor_info_t infos[32];
  if (n_in + n_out > 32)
    return fprintf(stderr, "aicc-embed: too many tensors\n"), 1;
  for (size_t i = 0; i < n_in + n_out; ++i) {
    CHECK(i < n_in ? aicc_module_input_info(module, i, &infos[i])
                   : aicc_module_output_info(module, i - n_in, &infos[i]));
    void *data = malloc(infos[i].byte_size + 1);
    memset(data, 0x3f, infos[i].byte_size);
    views[i] = (aicc_tensor_view_t){data, infos[i].element_type, infos[i].rank,
                                    infos[i].dims, infos[i].byte_size};
  }
  CHECK(aicc_session_run(session, views, n_in, views + n_in, n_out));

  for (size_t i = n_in; i < n_in + n_out; ++i) {
    if (infos[i].element_type != AICC_ELEMENT_TYPE_F32)
      continue;
    const float *values = views[i].data;
    double sum = 0;
    for (size_t k = 0; k < infos[i].byte_size / sizeof(float); ++k)
      sum += values[k];
    printf("%s: first %g, sum %.4f\n", infos[i].name, values[0], sum);
  }
  for (size_t i = 0; i < n_in + n_out; ++i)
    free(views[i].data);
  aicc_session_destroy(session);
  aicc_module_release(module);
  aicc_runtime_release(runtime);
  return 0;
}
