/*===- kernels.c - Hand-written kernels for the serializer test -----------===*
 *
 * Stand-ins for compiled kernels, built by the system C compiler into a
 * shared object with the aicc kernel ABI (runtime/include/aicc/kernel_abi.h).
 *
 *===----------------------------------------------------------------------===*/

#include "aicc/kernel_abi.h"

/* out[i] = a[i] + b[i] for 4 floats. Bindings: a, b, out. */
int32_t add4(const aicc_kernel_env *env, void *const *bindings,
             const int64_t *push) {
  (void)env, (void)push;
  const float *a = (const float *)bindings[0];
  const float *b = (const float *)bindings[1];
  float *out = (float *)bindings[2];
  for (int i = 0; i < 4; ++i)
    out[i] = a[i] + b[i];
  return 0;
}
