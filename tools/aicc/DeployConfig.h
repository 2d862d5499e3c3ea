//===- DeployConfig.h - aicc --config: a deployment in one file -*- C++ -*-===//
//
// `aicc --config deploy.json` reads the model, targets, precision,
// quantization calibration, dims, input shapes and values of a deployment
// from one reviewed JSON file (docs/Deployment.md) and turns them into the
// command line they stand for; options given on the command line override
// the file's (per dim or input for the repeatable ones). Unknown keys and
// values of the wrong type are errors that name the key.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TOOLS_AICC_DEPLOYCONFIG_H
#define AICC_TOOLS_AICC_DEPLOYCONFIG_H

#include <string>
#include <vector>

namespace aicc {

/// Whether the command line names --config.
bool hasConfigOption(int argc, char **argv);

/// Expands `--config FILE` in `argv` into the options the file stands for,
/// dropping those the command line itself gives. Returns false after
/// printing an error. `storage` owns the strings `out` points to.
bool expandConfigOption(int argc, char **argv, std::vector<std::string> &storage,
                        std::vector<char *> &out);

} // namespace aicc

#endif // AICC_TOOLS_AICC_DEPLOYCONFIG_H
