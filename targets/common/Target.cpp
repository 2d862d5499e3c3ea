//===- Target.cpp - The target registry ------------------------------------===//

#include "targets/common/Target.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/ErrorHandling.h"

#include <mutex>

namespace aicc {
namespace {

struct Registry {
  std::mutex mutex;
  std::vector<std::unique_ptr<Target>> targets;
};

Registry &getRegistry() {
  static Registry registry;
  return registry;
}

} // namespace

Target::~Target() = default;

void Target::buildGraphPipeline(mlir::OpPassManager &,
                                const TargetOptions &) const {}

void Target::buildConfigurationPipeline(mlir::OpPassManager &,
                                        const TargetOptions &) const {}

void Target::buildSchedulePipeline(mlir::OpPassManager &,
                                   const TargetOptions &) const {}

void registerTarget(std::unique_ptr<Target> target) {
  Registry &registry = getRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  for (const std::unique_ptr<Target> &existing : registry.targets)
    if (existing->getName() == target->getName())
      llvm::report_fatal_error("target '" + target->getName() +
                               "' is registered twice");
  registry.targets.push_back(std::move(target));
}

const Target *lookupTarget(llvm::StringRef name) {
  Registry &registry = getRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  for (const std::unique_ptr<Target> &target : registry.targets)
    if (target->getName() == name)
      return target.get();
  return nullptr;
}

std::vector<const Target *> getRegisteredTargets() {
  Registry &registry = getRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  std::vector<const Target *> result;
  for (const std::unique_ptr<Target> &target : registry.targets)
    result.push_back(target.get());
  llvm::sort(result, [](const Target *a, const Target *b) {
    return a->getName() < b->getName();
  });
  return result;
}

} // namespace aicc
