//===- aicc.cpp - The aicc compiler ---------------------------------------===//

#include "compiler/driver/Driver.h"
#include "tools/aicc/DeployConfig.h"
#include "tools/aicc/QuantizeMain.h"
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  if (argc > 1 && std::strcmp(argv[1], "quantize") == 0)
    return aicc::runQuantizeMain(argc - 1, argv + 1);
  // --config deploy.json stands for the options it lists.
  std::vector<std::string> storage;
  std::vector<char *> expanded;
  if (aicc::hasConfigOption(argc, argv)) {
    if (!aicc::expandConfigOption(argc, argv, storage, expanded))
      return 1;
    argc = static_cast<int>(expanded.size()) - 1;
    argv = expanded.data();
  }
  if (aicc::hasQuantizeOption(argc, argv))
    return aicc::runQuantizedCompile(argc, argv);
  return aicc::runAiccMain(argc, argv);
}
