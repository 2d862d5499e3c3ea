//===- IntExpr.cpp - Integer expressions over module symbols --------------===//

#include "src/IntExpr.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace aicc;

namespace {

/// a floordiv b and a ceildiv b for b > 0.
int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}
int64_t ceilDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a > 0) ? q + 1 : q;
}
/// a mod b in [0, b) for b > 0.
int64_t floorMod(int64_t a, int64_t b) {
  int64_t r = a % b;
  return r < 0 ? r + b : r;
}

/// Applies binary opcode `op` to values; false on overflow or a divisor
/// <= 0.
bool applyBinary(int64_t op, int64_t a, int64_t b, int64_t *out) {
  switch (op) {
  case kIntAdd:
    return !__builtin_add_overflow(a, b, out);
  case kIntSub:
    return !__builtin_sub_overflow(a, b, out);
  case kIntMul:
    return !__builtin_mul_overflow(a, b, out);
  case kIntFloorDiv:
    if (b <= 0)
      return false;
    *out = floorDiv(a, b);
    return true;
  case kIntCeilDiv:
    if (b <= 0)
      return false;
    *out = ceilDiv(a, b);
    return true;
  case kIntMod:
    if (b <= 0)
      return false;
    *out = floorMod(a, b);
    return true;
  case kIntMin:
    *out = std::min(a, b);
    return true;
  case kIntMax:
    *out = std::max(a, b);
    return true;
  default:
    return false;
  }
}

const char *opName(int64_t op) {
  switch (op) {
  case kIntAdd:
    return "+";
  case kIntSub:
    return "-";
  case kIntMul:
    return "*";
  case kIntFloorDiv:
    return "floordiv";
  case kIntCeilDiv:
    return "ceildiv";
  case kIntMod:
    return "mod";
  case kIntMin:
    return "min";
  case kIntMax:
    return "max";
  case kIntEq:
    return "==";
  case kIntLt:
    return "<";
  default:
    return "?";
  }
}

} // namespace

/// Number of operands that follow opcode `op` in the code (-1: unknown).
static int operandCount(int64_t op) {
  switch (op) {
  case kIntConst:
  case kIntSym:
  case kIntLoad:
  case kIntFMulFloor:
    return op == kIntConst || op == kIntSym ? 1 : 2;
  case kIntFRange:
    return 3;
  default:
    return op >= kIntAdd && op <= kIntSelect ? 0 : -1;
  }
}

static const char *longOpName(int64_t op) {
  switch (op) {
  case kIntConst:
    return "CONST";
  case kIntSym:
    return "SYM";
  case kIntLoad:
    return "LOAD";
  case kIntFMulFloor:
    return "FMULFLOOR";
  case kIntFRange:
    return "FRANGE";
  case kIntEq:
    return "EQ";
  case kIntLt:
    return "LT";
  case kIntSelect:
    return "SELECT";
  default:
    return opName(op);
  }
}

static bool isIntegerInput(aicc_element_type_t type) {
  switch (type) {
  case AICC_ELEMENT_TYPE_I8:
  case AICC_ELEMENT_TYPE_I16:
  case AICC_ELEMENT_TYPE_I32:
  case AICC_ELEMENT_TYPE_I64:
  case AICC_ELEMENT_TYPE_U8:
  case AICC_ELEMENT_TYPE_U16:
  case AICC_ELEMENT_TYPE_U32:
  case AICC_ELEMENT_TYPE_U64:
  case AICC_ELEMENT_TYPE_BOOL:
    return true;
  default:
    return false;
  }
}

static bool isFloatInput(aicc_element_type_t type) {
  return type == AICC_ELEMENT_TYPE_F32 || type == AICC_ELEMENT_TYPE_F64 ||
         type == AICC_ELEMENT_TYPE_F16 || type == AICC_ELEMENT_TYPE_BF16;
}

/// The values an integer input's elements can take (as int64).
static IntRange integerInputRange(aicc_element_type_t type) {
  switch (type) {
  case AICC_ELEMENT_TYPE_I8:
    return {INT8_MIN, INT8_MAX};
  case AICC_ELEMENT_TYPE_I16:
    return {INT16_MIN, INT16_MAX};
  case AICC_ELEMENT_TYPE_I32:
    return {INT32_MIN, INT32_MAX};
  case AICC_ELEMENT_TYPE_U8:
    return {0, UINT8_MAX};
  case AICC_ELEMENT_TYPE_U16:
    return {0, UINT16_MAX};
  case AICC_ELEMENT_TYPE_U32:
    return {0, UINT32_MAX};
  case AICC_ELEMENT_TYPE_U64:
    return {0, INT64_MAX};
  case AICC_ELEMENT_TYPE_BOOL:
    return {0, 1};
  default:
    return {INT64_MIN, INT64_MAX};
  }
}

bool aicc::checkIntExpr(const int64_t *code, uint32_t size,
                        const std::vector<IntRange> &symbols, IntRange *out,
                        std::string *error) {
  return checkIntExpr(code, size, symbols, out, error, IntExprCheckOptions());
}

bool aicc::checkIntExpr(const int64_t *code, uint32_t size,
                        const std::vector<IntRange> &symbols, IntRange *out,
                        std::string *error,
                        const IntExprCheckOptions &options) {
  auto fail = [&](uint32_t at, const std::string &what) {
    *error =
        at == UINT32_MAX ? what : "element " + std::to_string(at) + ": " + what;
    return false;
  };
  if (size == 0)
    return fail(UINT32_MAX, "empty program");
  if (size > kMaxIntExprLength)
    return fail(UINT32_MAX, "longer than " + std::to_string(kMaxIntExprLength) +
                                " elements");
  const IntRange unbounded{INT64_MIN, INT64_MAX};
  IntRange stack[kMaxIntExprDepth];
  uint32_t depth = 0;
  for (uint32_t pc = 0; pc < size; ++pc) {
    int64_t op = code[pc];
    int operands = operandCount(op);
    if (operands < 0)
      return fail(pc, "unknown opcode " + std::to_string(op));
    if (pc + static_cast<uint32_t>(operands) >= size)
      return fail(pc, std::string(longOpName(op)) + " lacks its operand" +
                          (operands > 1 ? "s" : ""));
    if (op == kIntConst || op == kIntSym) {
      if (depth == kMaxIntExprDepth)
        return fail(pc, "the stack exceeds " +
                            std::to_string(kMaxIntExprDepth) + " entries");
      int64_t operand = code[++pc];
      if (op == kIntConst) {
        stack[depth++] = {operand, operand};
      } else {
        if (operand < 0 || static_cast<uint64_t>(operand) >= symbols.size())
          return fail(pc, "symbol " + std::to_string(operand) +
                              " does not exist (the module has " +
                              std::to_string(symbols.size()) + ")");
        stack[depth++] = symbols[static_cast<size_t>(operand)];
      }
      continue;
    }
    if (op == kIntLoad || op == kIntFMulFloor || op == kIntFRange) {
      if (!options.inputs)
        return fail(pc, std::string(longOpName(op)) +
                            " reads an input, which only a value symbol's "
                            "definition may");
      const std::vector<IntExprInput> &inputs = *options.inputs;
      // Operands: (input, element) pairs; FRANGE reads element 0 of three.
      uint32_t at = pc;
      int64_t refs[3][2];
      int count = op == kIntFRange ? 3 : 1;
      for (int r = 0; r < count; ++r) {
        refs[r][0] = code[pc + 1 + r];
        refs[r][1] = op == kIntFRange ? 0 : code[pc + 2];
      }
      pc += static_cast<uint32_t>(operands);
      for (int r = 0; r < count; ++r) {
        int64_t k = refs[r][0], j = refs[r][1];
        if (k < 0 || static_cast<uint64_t>(k) >= inputs.size())
          return fail(at, std::string(longOpName(op)) + " reads input " +
                              std::to_string(k) + ", but the module has " +
                              std::to_string(inputs.size()));
        const IntExprInput &input = inputs[static_cast<size_t>(k)];
        if (j < 0 || static_cast<uint64_t>(j) >= input.count)
          return fail(at, std::string(longOpName(op)) + " reads element " +
                              std::to_string(j) + " of input " +
                              std::to_string(k) + ", which has " +
                              std::to_string(input.count) + " elements");
        bool typeOk = op == kIntLoad ? isIntegerInput(input.type)
                                     : isFloatInput(input.type);
        if (!typeOk)
          return fail(at, std::string(longOpName(op)) + " reads input " +
                              std::to_string(k) + " of element type " +
                              aicc_element_type_name(input.type) + "; it " +
                              "needs " +
                              (op == kIntLoad ? "an integer or bool"
                                              : "a floating-point") +
                              " input");
      }
      if (op == kIntFMulFloor) {
        if (depth < 1)
          return fail(at, "FMULFLOOR on an empty stack");
        stack[depth - 1] = unbounded;
        continue;
      }
      if (depth == kMaxIntExprDepth)
        return fail(at, "the stack exceeds " +
                            std::to_string(kMaxIntExprDepth) + " entries");
      stack[depth++] =
          op == kIntLoad
              ? integerInputRange(inputs[static_cast<size_t>(refs[0][0])].type)
              : IntRange{0, INT64_MAX};
      continue;
    }
    if (op == kIntNeg) {
      if (depth < 1)
        return fail(pc, "NEG on an empty stack");
      IntRange &a = stack[depth - 1];
      if (a.lo == INT64_MIN) {
        if (!options.runtimeChecks)
          return fail(pc, "NEG may overflow int64");
        a = unbounded;
        continue;
      }
      a = {-a.hi, -a.lo};
      continue;
    }
    if (op == kIntSelect) {
      if (depth < 3)
        return fail(pc, "SELECT needs three operands on the stack");
      IntRange f = stack[--depth];
      IntRange t = stack[--depth];
      stack[depth - 1] = {std::min(t.lo, f.lo), std::max(t.hi, f.hi)};
      continue;
    }
    if (depth < 2)
      return fail(pc, std::string("'") + longOpName(op) +
                          "' needs two operands on the stack");
    IntRange b = stack[--depth];
    IntRange a = stack[depth - 1];
    IntRange r;
    bool ok = true;
    if ((op == kIntFloorDiv || op == kIntCeilDiv || op == kIntMod) &&
        b.lo <= 0) {
      if (!options.runtimeChecks)
        return fail(pc, std::string(opName(op)) + " by a value that can be " +
                            std::to_string(b.lo) + " (<= 0)");
      // Checked when evaluated.
      stack[depth - 1] = unbounded;
      continue;
    }
    switch (op) {
    case kIntEq:
    case kIntLt:
      r = {0, 1};
      break;
    case kIntAdd:
      ok = applyBinary(op, a.lo, b.lo, &r.lo) &&
           applyBinary(op, a.hi, b.hi, &r.hi);
      break;
    case kIntSub:
      ok = applyBinary(op, a.lo, b.hi, &r.lo) &&
           applyBinary(op, a.hi, b.lo, &r.hi);
      break;
    case kIntMin:
      r = {std::min(a.lo, b.lo), std::min(a.hi, b.hi)};
      break;
    case kIntMax:
      r = {std::max(a.lo, b.lo), std::max(a.hi, b.hi)};
      break;
    case kIntMod:
      r = (a.lo >= 0 && a.hi < b.lo) ? a : IntRange{0, b.hi - 1};
      break;
    default: {
      // MUL, FLOORDIV, CEILDIV: each is monotone in each operand (divisors
      // > 0), so the extremes lie at the corners.
      int64_t corners[4];
      ok = applyBinary(op, a.lo, b.lo, &corners[0]) &&
           applyBinary(op, a.lo, b.hi, &corners[1]) &&
           applyBinary(op, a.hi, b.lo, &corners[2]) &&
           applyBinary(op, a.hi, b.hi, &corners[3]);
      if (ok)
        r = {*std::min_element(corners, corners + 4),
             *std::max_element(corners, corners + 4)};
      break;
    }
    }
    if (!ok) {
      if (!options.runtimeChecks)
        return fail(pc, std::string("'") + opName(op) +
                            "' may overflow int64 over the symbols' ranges");
      r = unbounded;
    }
    stack[depth - 1] = r;
  }
  if (depth != 1)
    return fail(UINT32_MAX, "the program leaves " + std::to_string(depth) +
                                " values on the stack, not one");
  *out = stack[0];
  return true;
}

namespace {

/// IEEE half / bfloat16 bits to float.
float halfToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1f;
  uint32_t mantissa = bits & 0x3ffu;
  uint32_t out;
  if (exponent == 0x1f) {
    out = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    out = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    out = sign;
  } else {
    // Subnormal: normalize.
    int shift = 0;
    while (!(mantissa & 0x400u)) {
      mantissa <<= 1;
      ++shift;
    }
    mantissa &= 0x3ffu;
    out = sign | (static_cast<uint32_t>(113 - shift) << 23) | (mantissa << 13);
  }
  float value;
  std::memcpy(&value, &out, sizeof(value));
  return value;
}

/// Element `j` of `input`, whose elements are Ts (unaligned).
template <typename T> T loadElement(const IntExprInput &input, uint64_t j) {
  T value;
  std::memcpy(&value, static_cast<const uint8_t *>(input.data) + j * sizeof(T),
              sizeof(T));
  return value;
}

/// Element `j` of `input` as a double (a floating-point input).
double loadFloat(const IntExprInput &input, uint64_t j) {
  switch (input.type) {
  case AICC_ELEMENT_TYPE_F32:
    return loadElement<float>(input, j);
  case AICC_ELEMENT_TYPE_F64:
    return loadElement<double>(input, j);
  case AICC_ELEMENT_TYPE_F16:
    return halfToFloat(loadElement<uint16_t>(input, j));
  case AICC_ELEMENT_TYPE_BF16: {
    uint32_t wide = static_cast<uint32_t>(loadElement<uint16_t>(input, j))
                    << 16;
    float value;
    std::memcpy(&value, &wide, 4);
    return value;
  }
  default:
    return std::nan("");
  }
}

/// Element `j` of `input` (an integer or bool input) as int64; false for a
/// u64 value above INT64_MAX.
bool loadInteger(const IntExprInput &input, uint64_t j, int64_t *out) {
  switch (input.type) {
  case AICC_ELEMENT_TYPE_I8:
    *out = loadElement<int8_t>(input, j);
    return true;
  case AICC_ELEMENT_TYPE_U8:
    *out = loadElement<uint8_t>(input, j);
    return true;
  case AICC_ELEMENT_TYPE_BOOL:
    *out = loadElement<uint8_t>(input, j) != 0;
    return true;
  case AICC_ELEMENT_TYPE_I16:
    *out = loadElement<int16_t>(input, j);
    return true;
  case AICC_ELEMENT_TYPE_U16:
    *out = loadElement<uint16_t>(input, j);
    return true;
  case AICC_ELEMENT_TYPE_I32:
    *out = loadElement<int32_t>(input, j);
    return true;
  case AICC_ELEMENT_TYPE_U32:
    *out = loadElement<uint32_t>(input, j);
    return true;
  case AICC_ELEMENT_TYPE_I64:
    *out = loadElement<int64_t>(input, j);
    return true;
  case AICC_ELEMENT_TYPE_U64: {
    uint64_t value = loadElement<uint64_t>(input, j);
    if (value > static_cast<uint64_t>(INT64_MAX))
      return false;
    *out = static_cast<int64_t>(value);
    return true;
  }
  default:
    return false;
  }
}

/// Whether `value` (finite) converts to int64 exactly in range.
bool fitsInt64(double value) {
  // 2^63 is exactly representable; every double below it converts.
  return value >= -9223372036854775808.0 && value < 9223372036854775808.0;
}

std::string formatDouble(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.9g", value);
  return text;
}

} // namespace

bool aicc::evalIntExpr(const int64_t *code, uint32_t size,
                       const int64_t *values, size_t valueCount, int64_t *out) {
  std::string error;
  return evalIntExpr(code, size, values, valueCount, nullptr, 0, out, &error);
}

bool aicc::evalIntExpr(const int64_t *code, uint32_t size,
                       const int64_t *values, size_t valueCount,
                       const IntExprInput *inputs, size_t inputCount,
                       int64_t *out, std::string *error) {
  int64_t stack[kMaxIntExprDepth];
  uint32_t depth = 0;
  auto fail = [&](const std::string &what) {
    *error = what;
    return false;
  };
  // The input and element operands, checked again (cheap) so that a
  // program the loader did not see cannot read out of bounds.
  auto inputName = [&](int64_t k) {
    if (inputs && k >= 0 && static_cast<uint64_t>(k) < inputCount &&
        inputs[k].name)
      return std::string("input '") + inputs[k].name + "'";
    return "input " + std::to_string(k);
  };
  auto input = [&](int64_t k, int64_t j,
                   const IntExprInput **result) -> bool {
    if (!inputs || k < 0 || static_cast<uint64_t>(k) >= inputCount)
      return fail("reads input " + std::to_string(k) + ", which does not "
                  "exist");
    const IntExprInput &in = inputs[k];
    if (j < 0 || static_cast<uint64_t>(j) >= in.count)
      return fail("reads element " + std::to_string(j) + " of " +
                  inputName(k) + ", which has " + std::to_string(in.count));
    if (!in.data)
      return fail("needs the values of " + inputName(k) +
                  " (its view has no data or too few bytes)");
    *result = &in;
    return true;
  };
  for (uint32_t pc = 0; pc < size; ++pc) {
    int64_t op = code[pc];
    int operands = operandCount(op);
    if (operands < 0 || pc + static_cast<uint32_t>(operands) >= size)
      return fail("malformed program");
    if (op == kIntConst || op == kIntSym || op == kIntLoad ||
        op == kIntFRange) {
      if (depth == kMaxIntExprDepth)
        return fail("malformed program");
    }
    switch (op) {
    case kIntConst:
    case kIntSym: {
      int64_t operand = code[++pc];
      if (op == kIntSym) {
        if (operand < 0 || static_cast<uint64_t>(operand) >= valueCount)
          return fail("malformed program");
        operand = values[operand];
      }
      stack[depth++] = operand;
      break;
    }
    case kIntLoad: {
      int64_t k = code[pc + 1], j = code[pc + 2];
      pc += 2;
      const IntExprInput *in = nullptr;
      if (!input(k, j, &in))
        return false;
      int64_t value = 0;
      if (!loadInteger(*in, static_cast<uint64_t>(j), &value))
        return fail("element " + std::to_string(j) + " of " + inputName(k) +
                    " is outside int64");
      stack[depth++] = value;
      break;
    }
    case kIntFMulFloor: {
      int64_t k = code[pc + 1], j = code[pc + 2];
      pc += 2;
      if (depth < 1)
        return fail("malformed program");
      const IntExprInput *in = nullptr;
      if (!input(k, j, &in))
        return false;
      double scale = loadFloat(*in, static_cast<uint64_t>(j));
      double product =
          static_cast<double>(stack[depth - 1]) * scale;
      double result = std::floor(product);
      if (!std::isfinite(result) || !fitsInt64(result))
        return fail("floor(" + std::to_string(stack[depth - 1]) + " * " +
                    formatDouble(scale) + ") with element " +
                    std::to_string(j) + " of " + inputName(k) + " is " +
                    formatDouble(result) + ", not an int64");
      stack[depth - 1] = static_cast<int64_t>(result);
      break;
    }
    case kIntFRange: {
      const IntExprInput *in[3] = {nullptr, nullptr, nullptr};
      for (int r = 0; r < 3; ++r)
        if (!input(code[pc + 1 + r], 0, &in[r]))
          return false;
      pc += 3;
      double start = loadFloat(*in[0], 0), limit = loadFloat(*in[1], 0),
             delta = loadFloat(*in[2], 0);
      if (delta == 0)
        return fail("the Range delta is 0");
      // ONNX Runtime subtracts in the inputs' type, divides in double.
      double span = limit - start;
      if (in[0]->type == AICC_ELEMENT_TYPE_F32 &&
          in[1]->type == AICC_ELEMENT_TYPE_F32)
        span = static_cast<float>(static_cast<float>(limit) -
                                  static_cast<float>(start));
      double count = std::ceil(span / delta);
      if (std::isnan(count) || !fitsInt64(std::max(count, 0.0)))
        return fail("the Range length ceil((" + formatDouble(limit) + " - " +
                    formatDouble(start) + ") / " + formatDouble(delta) +
                    ") is " + formatDouble(count) + ", not an int64");
      stack[depth++] = count > 0 ? static_cast<int64_t>(count) : 0;
      break;
    }
    case kIntNeg:
      if (depth < 1)
        return fail("malformed program");
      if (stack[depth - 1] == INT64_MIN)
        return fail("NEG overflows int64");
      stack[depth - 1] = -stack[depth - 1];
      break;
    case kIntSelect: {
      if (depth < 3)
        return fail("malformed program");
      int64_t f = stack[--depth];
      int64_t t = stack[--depth];
      stack[depth - 1] = stack[depth - 1] != 0 ? t : f;
      break;
    }
    default: {
      if (depth < 2)
        return fail("malformed program");
      int64_t b = stack[--depth];
      int64_t a = stack[depth - 1];
      if (op == kIntEq) {
        stack[depth - 1] = a == b;
        break;
      }
      if (op == kIntLt) {
        stack[depth - 1] = a < b;
        break;
      }
      if ((op == kIntFloorDiv || op == kIntCeilDiv || op == kIntMod) &&
          b <= 0)
        return fail(std::string(opName(op)) + " by " + std::to_string(b) +
                    " (<= 0)");
      if (!applyBinary(op, a, b, &stack[depth - 1]))
        return fail(std::to_string(a) + " " + opName(op) + " " +
                    std::to_string(b) + " overflows int64");
      break;
    }
    }
  }
  if (depth != 1)
    return fail("malformed program");
  *out = stack[0];
  return true;
}

bool aicc::readsInputs(const int64_t *code, uint32_t size, int64_t *input) {
  for (uint32_t pc = 0; pc < size; ++pc) {
    int operands = operandCount(code[pc]);
    if (operands < 0)
      return false;
    if ((code[pc] == kIntLoad || code[pc] == kIntFMulFloor ||
         code[pc] == kIntFRange) &&
        pc + 1 < size) {
      *input = code[pc + 1];
      return true;
    }
    pc += static_cast<uint32_t>(operands);
  }
  return false;
}

bool aicc::isConstIntExpr(const int64_t *code, uint32_t size, int64_t *value) {
  if (size != 2 || code[0] != kIntConst)
    return false;
  *value = code[1];
  return true;
}

bool aicc::isSymIntExpr(const int64_t *code, uint32_t size, int64_t *symbol) {
  if (size != 2 || code[0] != kIntSym)
    return false;
  *symbol = code[1];
  return true;
}

std::string aicc::formatIntExpr(const int64_t *code, uint32_t size,
                                const std::vector<std::string> &symbolNames) {
  std::vector<std::string> stack;
  for (uint32_t pc = 0; pc < size; ++pc) {
    int64_t op = code[pc];
    if ((op == kIntConst || op == kIntSym) && pc + 1 < size) {
      int64_t operand = code[++pc];
      if (op == kIntConst)
        stack.push_back(std::to_string(operand));
      else if (operand >= 0 &&
               static_cast<uint64_t>(operand) < symbolNames.size())
        stack.push_back(symbolNames[static_cast<size_t>(operand)]);
      else
        stack.push_back("s" + std::to_string(operand));
    } else if (op == kIntLoad && pc + 2 < size) {
      stack.push_back("input" + std::to_string(code[pc + 1]) + "[" +
                      std::to_string(code[pc + 2]) + "]");
      pc += 2;
    } else if (op == kIntFMulFloor && pc + 2 < size && !stack.empty()) {
      stack.back() = "floor(" + stack.back() + " * input" +
                     std::to_string(code[pc + 1]) + "[" +
                     std::to_string(code[pc + 2]) + "])";
      pc += 2;
    } else if (op == kIntFRange && pc + 3 < size) {
      stack.push_back("range_length(input" + std::to_string(code[pc + 1]) +
                      ", input" + std::to_string(code[pc + 2]) + ", input" +
                      std::to_string(code[pc + 3]) + ")");
      pc += 3;
    } else if (op == kIntSelect && stack.size() >= 3) {
      std::string f = stack.back();
      stack.pop_back();
      std::string t = stack.back();
      stack.pop_back();
      stack.back() = "(" + stack.back() + " ? " + t + " : " + f + ")";
    } else if (op == kIntNeg && !stack.empty()) {
      stack.back() = "-" + stack.back();
    } else if (stack.size() >= 2) {
      std::string b = stack.back();
      stack.pop_back();
      std::string &a = stack.back();
      if (op == kIntMin || op == kIntMax)
        a = std::string(opName(op)) + "(" + a + ", " + b + ")";
      else
        a = "(" + a + " " + opName(op) + " " + b + ")";
    } else {
      return "<malformed>";
    }
  }
  if (stack.size() != 1)
    return "<malformed>";
  std::string text = stack[0];
  if (text.size() > 2 && text.front() == '(' && text.back() == ')')
    text = text.substr(1, text.size() - 2);
  return text;
}
