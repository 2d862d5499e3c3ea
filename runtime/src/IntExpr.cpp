//===- IntExpr.cpp - Integer expressions over module symbols --------------===//

#include "src/IntExpr.h"

#include <algorithm>

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
  default:
    return "?";
  }
}

} // namespace

bool aicc::checkIntExpr(const int64_t *code, uint32_t size,
                        const std::vector<IntRange> &symbols, IntRange *out,
                        std::string *error) {
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
  IntRange stack[kMaxIntExprDepth];
  uint32_t depth = 0;
  for (uint32_t pc = 0; pc < size; ++pc) {
    int64_t op = code[pc];
    if (op == kIntConst || op == kIntSym) {
      if (pc + 1 >= size)
        return fail(pc, std::string(op == kIntConst ? "CONST" : "SYM") +
                            " lacks its operand");
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
    if (op == kIntNeg) {
      if (depth < 1)
        return fail(pc, "NEG on an empty stack");
      IntRange &a = stack[depth - 1];
      if (a.lo == INT64_MIN)
        return fail(pc, "NEG may overflow int64");
      a = {-a.hi, -a.lo};
      continue;
    }
    if (op < kIntAdd || op > kIntMax)
      return fail(pc, "unknown opcode " + std::to_string(op));
    if (depth < 2)
      return fail(pc, std::string("'") + opName(op) +
                          "' needs two operands on the stack");
    IntRange b = stack[--depth];
    IntRange a = stack[depth - 1];
    IntRange r;
    bool ok = true;
    if ((op == kIntFloorDiv || op == kIntCeilDiv || op == kIntMod) && b.lo <= 0)
      return fail(pc, std::string(opName(op)) + " by a value that can be " +
                          std::to_string(b.lo) + " (<= 0)");
    switch (op) {
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
    if (!ok)
      return fail(pc, std::string("'") + opName(op) +
                          "' may overflow int64 over the symbols' ranges");
    stack[depth - 1] = r;
  }
  if (depth != 1)
    return fail(UINT32_MAX, "the program leaves " + std::to_string(depth) +
                                " values on the stack, not one");
  *out = stack[0];
  return true;
}

bool aicc::evalIntExpr(const int64_t *code, uint32_t size,
                       const int64_t *values, size_t valueCount, int64_t *out) {
  int64_t stack[kMaxIntExprDepth];
  uint32_t depth = 0;
  for (uint32_t pc = 0; pc < size; ++pc) {
    int64_t op = code[pc];
    if (op == kIntConst || op == kIntSym) {
      if (pc + 1 >= size || depth == kMaxIntExprDepth)
        return false;
      int64_t operand = code[++pc];
      if (op == kIntSym) {
        if (operand < 0 || static_cast<uint64_t>(operand) >= valueCount)
          return false;
        operand = values[operand];
      }
      stack[depth++] = operand;
    } else if (op == kIntNeg) {
      if (depth < 1 || stack[depth - 1] == INT64_MIN)
        return false;
      stack[depth - 1] = -stack[depth - 1];
    } else {
      if (depth < 2)
        return false;
      int64_t b = stack[--depth];
      if (!applyBinary(op, stack[depth - 1], b, &stack[depth - 1]))
        return false;
    }
  }
  if (depth != 1)
    return false;
  *out = stack[0];
  return true;
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
