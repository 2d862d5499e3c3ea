//===- aicc.cpp - The aicc compiler ---------------------------------------===//

#include "compiler/driver/Driver.h"

int main(int argc, char **argv) { return aicc::runAiccMain(argc, argv); }
