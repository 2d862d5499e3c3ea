//===- aicc.cpp - The aicc compiler ---------------------------------------===//

#include "compiler/driver/Driver.h"
#include "tools/aicc/QuantizeMain.h"
#include <cstring>

int main(int argc, char **argv) {
  if (argc > 1 && std::strcmp(argv[1], "quantize") == 0)
    return aicc::runQuantizeMain(argc - 1, argv + 1);
  if (aicc::hasQuantizeOption(argc, argv))
    return aicc::runQuantizedCompile(argc, argv);
  return aicc::runAiccMain(argc, argv);
}
