/*===- empty_kernel.c - The kernel of the dispatch-overhead benchmark ----===*\
|*                                                                            *|
|* Does nothing, so that a run of many dispatches measures only what the     *|
|* runtime spends per dispatch.                                              *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "aicc/kernel_abi.h"

const uint32_t aicc_kernel_abi_version = AICC_KERNEL_ABI_VERSION;

int32_t empty_kernel(const aicc_kernel_env *env, void *const *bindings,
                     const int64_t *push_constants) {
  (void)env, (void)bindings, (void)push_constants;
  return 0;
}
