# Writes OUTPUT, a C++ file defining aicc::avx512::kernelSupportObject()
# over the bytes of INPUT.
file(READ ${INPUT} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUTPUT}
"// Generated from KernelSupport.o by EmbedObject.cmake. Do not edit.
#include \"targets/avx512/EntryPoints.h\"
static const unsigned char kBytes[] = {${bytes}};
llvm::ArrayRef<unsigned char> aicc::avx512::kernelSupportObject() {
  return llvm::ArrayRef<unsigned char>(kBytes, sizeof(kBytes));
}
")
