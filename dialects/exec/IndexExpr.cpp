//===- IndexExpr.cpp - Index values of dynamically shaped schedules -------===//

#include "dialects/exec/IndexExpr.h"

#include "dialects/exec/ExecOps.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <functional>

using namespace mlir;
using namespace aicc::exec;

namespace {

std::optional<int64_t> add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

std::optional<int64_t> mul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t ceilDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) == (b < 0))) ? q + 1 : q;
}

/// The range of `f(a, b)` for a function monotonic in each argument on the
/// given ranges: the extremes are at the corners.
template <typename F>
std::optional<IndexRange> corners(IndexRange a, IndexRange b, F f) {
  std::optional<int64_t> values[4] = {f(a.lo, b.lo), f(a.lo, b.hi),
                                      f(a.hi, b.lo), f(a.hi, b.hi)};
  IndexRange result{INT64_MAX, INT64_MIN};
  for (std::optional<int64_t> value : values) {
    if (!value)
      return std::nullopt;
    result.lo = std::min(result.lo, *value);
    result.hi = std::max(result.hi, *value);
  }
  return result;
}

std::optional<IndexRange> applyBinary(AffineExprKind kind, IndexRange a,
                                      IndexRange b) {
  switch (kind) {
  case AffineExprKind::Add: {
    std::optional<int64_t> lo = add(a.lo, b.lo), hi = add(a.hi, b.hi);
    if (!lo || !hi)
      return std::nullopt;
    return IndexRange{*lo, *hi};
  }
  case AffineExprKind::Mul:
    return corners(a, b, mul);
  case AffineExprKind::FloorDiv:
  case AffineExprKind::CeilDiv:
    // Monotonic in each argument while the divisor keeps one sign.
    if (b.lo <= 0)
      return std::nullopt;
    return corners(a, b, [&](int64_t x, int64_t y) -> std::optional<int64_t> {
      return kind == AffineExprKind::FloorDiv ? floorDiv(x, y)
                                              : ceilDiv(x, y);
    });
  case AffineExprKind::Mod:
    if (b.lo <= 0)
      return std::nullopt;
    // Exact when the dividend cannot reach the divisor.
    if (b.lo == b.hi && a.lo >= 0 && a.hi < b.lo)
      return a;
    return IndexRange{0, b.hi - 1};
  default:
    return std::nullopt;
  }
}

} // namespace

FailureOr<SmallVector<SymbolInfo>> aicc::exec::getSymbols(Operation *op) {
  SmallVector<SymbolInfo> symbols;
  auto dict = op->getAttrOfType<DictionaryAttr>("aicc.symbols");
  for (NamedAttribute entry :
       dict ? dict.getValue() : ArrayRef<NamedAttribute>()) {
    auto range = dyn_cast<DenseI64ArrayAttr>(entry.getValue());
    if (!range || range.size() != 2 || range[0] > range[1])
      return op->emitOpError("'aicc.symbols' entry '")
             << entry.getName().getValue()
             << "' is not an array<i64: lo, hi> with lo <= hi";
    symbols.push_back({entry.getName().str(), {range[0], range[1]}});
  }
  Attribute valueAttr = op->getAttr("aicc.value_symbols");
  if (!valueAttr)
    return symbols;
  auto values = dyn_cast<ArrayAttr>(valueAttr);
  if (!values)
    return op->emitOpError("'aicc.value_symbols' is not an array");
  for (auto [j, attr] : llvm::enumerate(values.getValue())) {
    auto entry = dyn_cast<DictionaryAttr>(attr);
    auto name = entry ? entry.getAs<StringAttr>("name") : StringAttr();
    auto range = entry ? entry.getAs<DenseI64ArrayAttr>("range")
                       : DenseI64ArrayAttr();
    auto def =
        entry ? entry.getAs<DenseI64ArrayAttr>("def") : DenseI64ArrayAttr();
    auto what = entry ? entry.getAs<StringAttr>("what") : StringAttr();
    if (!name || name.getValue().empty() || !range || range.size() != 2 ||
        range[0] > range[1] || !def || def.empty())
      return op->emitOpError("'aicc.value_symbols' entry ")
             << j << " is not {name, range = array<i64: lo, hi> with lo <= "
             << "hi, def = array<i64: ...>, what}";
    SymbolInfo info;
    info.name = name.str();
    info.range = {range[0], range[1]};
    info.isValue = true;
    info.def.assign(def.asArrayRef().begin(), def.asArrayRef().end());
    if (what)
      info.what = what.str();
    symbols.push_back(std::move(info));
  }
  return symbols;
}

std::optional<IndexRange>
aicc::exec::getAffineRange(AffineExpr expr, ArrayRef<IndexRange> dims,
                           ArrayRef<IndexRange> symbols) {
  if (auto constant = dyn_cast<AffineConstantExpr>(expr))
    return IndexRange{constant.getValue(), constant.getValue()};
  if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
    if (dim.getPosition() >= dims.size())
      return std::nullopt;
    return dims[dim.getPosition()];
  }
  if (auto symbol = dyn_cast<AffineSymbolExpr>(expr)) {
    if (symbol.getPosition() >= symbols.size())
      return std::nullopt;
    return symbols[symbol.getPosition()];
  }
  auto binary = cast<AffineBinaryOpExpr>(expr);
  std::optional<IndexRange> lhs =
      getAffineRange(binary.getLHS(), dims, symbols);
  std::optional<IndexRange> rhs =
      getAffineRange(binary.getRHS(), dims, symbols);
  if (!lhs || !rhs)
    return std::nullopt;
  return applyBinary(binary.getKind(), *lhs, *rhs);
}

std::optional<IndexRange>
aicc::exec::getIndexRange(Value value, ArrayRef<SymbolInfo> symbols) {
  Operation *def = value.getDefiningOp();
  if (!def)
    return std::nullopt;
  if (auto symbol = dyn_cast<SymbolOp>(def)) {
    if (symbol.getIndex() >= symbols.size())
      return std::nullopt;
    return symbols[symbol.getIndex()].range;
  }
  if (auto constant = dyn_cast<arith::ConstantIndexOp>(def))
    return IndexRange{constant.value(), constant.value()};
  AffineMap map;
  if (auto apply = dyn_cast<affine::AffineApplyOp>(def))
    map = apply.getAffineMap();
  else if (auto min = dyn_cast<affine::AffineMinOp>(def))
    map = min.getAffineMap();
  else if (auto max = dyn_cast<affine::AffineMaxOp>(def))
    map = max.getAffineMap();
  else
    return std::nullopt;
  SmallVector<IndexRange> operands;
  for (Value operand : def->getOperands()) {
    std::optional<IndexRange> range = getIndexRange(operand, symbols);
    if (!range)
      return std::nullopt;
    operands.push_back(*range);
  }
  ArrayRef<IndexRange> dims(operands.data(), map.getNumDims());
  ArrayRef<IndexRange> syms = ArrayRef(operands).drop_front(map.getNumDims());
  std::optional<IndexRange> result;
  for (AffineExpr expr : map.getResults()) {
    std::optional<IndexRange> range = getAffineRange(expr, dims, syms);
    if (!range)
      return std::nullopt;
    if (!result)
      result = range;
    else if (isa<affine::AffineMinOp>(def))
      result = IndexRange{std::min(result->lo, range->lo),
                          std::min(result->hi, range->hi)};
    else
      result = IndexRange{std::max(result->lo, range->lo),
                          std::max(result->hi, range->hi)};
  }
  return result;
}

namespace {

/// Appends the postfix program of `expr`; `leaf(isSymbol, position, code)`
/// appends that of a dim or symbol.
LogicalResult
appendAffineCode(AffineExpr expr, std::vector<int64_t> &code,
                 llvm::function_ref<LogicalResult(bool, unsigned,
                                                  std::vector<int64_t> &)>
                     leaf) {
  if (auto constant = dyn_cast<AffineConstantExpr>(expr)) {
    code.push_back(static_cast<int64_t>(IntExprOp::Const));
    code.push_back(constant.getValue());
    return success();
  }
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return leaf(false, dim.getPosition(), code);
  if (auto symbol = dyn_cast<AffineSymbolExpr>(expr))
    return leaf(true, symbol.getPosition(), code);
  auto binary = cast<AffineBinaryOpExpr>(expr);
  IntExprOp op;
  switch (binary.getKind()) {
  case AffineExprKind::Add:
    op = IntExprOp::Add;
    break;
  case AffineExprKind::Mul:
    op = IntExprOp::Mul;
    break;
  case AffineExprKind::FloorDiv:
    op = IntExprOp::FloorDiv;
    break;
  case AffineExprKind::CeilDiv:
    op = IntExprOp::CeilDiv;
    break;
  case AffineExprKind::Mod:
    op = IntExprOp::Mod;
    break;
  default:
    return failure();
  }
  // `a - b` is `a + b * -1` in an AffineExpr; write it as SUB.
  if (op == IntExprOp::Add)
    if (auto product = dyn_cast<AffineBinaryOpExpr>(binary.getRHS());
        product && product.getKind() == AffineExprKind::Mul)
      if (auto factor = dyn_cast<AffineConstantExpr>(product.getRHS());
          factor && factor.getValue() == -1) {
        if (failed(appendAffineCode(binary.getLHS(), code, leaf)) ||
            failed(appendAffineCode(product.getLHS(), code, leaf)))
          return failure();
        code.push_back(static_cast<int64_t>(IntExprOp::Sub));
        return success();
      }
  if (failed(appendAffineCode(binary.getLHS(), code, leaf)) ||
      failed(appendAffineCode(binary.getRHS(), code, leaf)))
    return failure();
  code.push_back(static_cast<int64_t>(op));
  return success();
}

} // namespace

LogicalResult aicc::exec::appendIndexCode(Value value,
                                          std::vector<int64_t> &code) {
  Operation *def = value.getDefiningOp();
  if (!def)
    return failure();
  if (auto symbol = dyn_cast<SymbolOp>(def)) {
    code.push_back(static_cast<int64_t>(IntExprOp::Sym));
    code.push_back(static_cast<int64_t>(symbol.getIndex()));
    return success();
  }
  if (auto constant = dyn_cast<arith::ConstantIndexOp>(def)) {
    code.push_back(static_cast<int64_t>(IntExprOp::Const));
    code.push_back(constant.value());
    return success();
  }
  AffineMap map;
  IntExprOp combine = IntExprOp::Min;
  if (auto apply = dyn_cast<affine::AffineApplyOp>(def))
    map = apply.getAffineMap();
  else if (auto min = dyn_cast<affine::AffineMinOp>(def))
    map = min.getAffineMap();
  else if (auto max = dyn_cast<affine::AffineMaxOp>(def)) {
    map = max.getAffineMap();
    combine = IntExprOp::Max;
  } else {
    return failure();
  }
  if (map.getNumResults() == 0)
    return failure();
  unsigned numDims = map.getNumDims();
  auto leaf = [&](bool isSymbol, unsigned position,
                  std::vector<int64_t> &out) -> LogicalResult {
    unsigned operand = isSymbol ? numDims + position : position;
    if (operand >= def->getNumOperands())
      return failure();
    return appendIndexCode(def->getOperand(operand), out);
  };
  for (auto [index, expr] : llvm::enumerate(map.getResults())) {
    if (failed(appendAffineCode(expr, code, leaf)))
      return failure();
    if (index > 0)
      code.push_back(static_cast<int64_t>(combine));
  }
  return success();
}

LogicalResult aicc::exec::appendSymbolExprCode(AffineExpr expr,
                                               std::vector<int64_t> &code) {
  return appendAffineCode(
      expr, code,
      [](bool isSymbol, unsigned position,
         std::vector<int64_t> &out) -> LogicalResult {
        if (!isSymbol)
          return failure();
        out.push_back(static_cast<int64_t>(IntExprOp::Sym));
        out.push_back(position);
        return success();
      });
}

LogicalResult aicc::exec::appendSymbolExprCode(AffineExpr expr,
                                               std::vector<int64_t> &code,
                                               unsigned numSymbols,
                                               ArrayAttr derived) {
  // Derived symbols refer only to earlier ones, so the depth is bounded by
  // the number of entries; `depth` guards against a malformed attribute.
  std::function<LogicalResult(AffineExpr, std::vector<int64_t> &, unsigned)>
      append = [&](AffineExpr e, std::vector<int64_t> &out,
                   unsigned depth) -> LogicalResult {
    return appendAffineCode(
        e, out,
        [&](bool isSymbol, unsigned position,
            std::vector<int64_t> &into) -> LogicalResult {
          if (!isSymbol)
            return failure();
          if (position < numSymbols) {
            into.push_back(static_cast<int64_t>(IntExprOp::Sym));
            into.push_back(position);
            return success();
          }
          unsigned index = position - numSymbols;
          if (!derived || index >= derived.size() || depth > derived.size())
            return failure();
          auto entry = dyn_cast<DictionaryAttr>(derived[index]);
          auto kind = entry ? entry.getAs<StringAttr>("kind") : StringAttr();
          auto operands =
              entry ? entry.getAs<AffineMapAttr>("operands") : AffineMapAttr();
          if (!kind || !operands || operands.getValue().getNumResults() == 0 ||
              (kind.getValue() != "min" && kind.getValue() != "max"))
            return failure();
          IntExprOp fold =
              kind.getValue() == "min" ? IntExprOp::Min : IntExprOp::Max;
          for (auto [i, operand] :
               llvm::enumerate(operands.getValue().getResults())) {
            if (failed(append(operand, into, depth + 1)))
              return failure();
            if (i > 0)
              into.push_back(static_cast<int64_t>(fold));
          }
          return success();
        });
  };
  return append(expr, code, 0);
}

std::optional<DimSource> aicc::exec::getBufferDim(Value buffer, unsigned dim) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type || dim >= type.getRank())
    return std::nullopt;
  if (!type.isDynamicDim(dim))
    return DimSource{type.getDimSize(dim), Value(), AffineExpr()};
  unsigned dynamicIndex = type.getDynamicDimIndex(dim);
  if (auto alloc = buffer.getDefiningOp<AllocOp>()) {
    if (dynamicIndex >= alloc.getDynamicSizes().size())
      return std::nullopt;
    return DimSource{std::nullopt, alloc.getDynamicSizes()[dynamicIndex],
                     AffineExpr()};
  }
  if (auto view = buffer.getDefiningOp<ViewOp>()) {
    if (dynamicIndex >= view.getDynamicSizes().size())
      return std::nullopt;
    return DimSource{std::nullopt, view.getDynamicSizes()[dynamicIndex],
                     AffineExpr()};
  }
  auto argument = dyn_cast<BlockArgument>(buffer);
  if (!argument)
    return std::nullopt;
  auto schedule = dyn_cast<ScheduleOp>(argument.getOwner()->getParentOp());
  if (!schedule)
    return std::nullopt;
  unsigned number = argument.getArgNumber();
  if (number < schedule.getNumInputs()) {
    auto shape = schedule.getArgAttrOfType<AffineMapAttr>(number, "aicc.shape");
    if (!shape || shape.getValue().getNumResults() != type.getRank())
      return std::nullopt;
    AffineExpr expr = shape.getValue().getResult(dim);
    if (auto constant = dyn_cast<AffineConstantExpr>(expr))
      return DimSource{constant.getValue(), Value(), AffineExpr()};
    return DimSource{std::nullopt, Value(), expr};
  }
  // An output: its extents are the `dims` of exec.return, in order.
  auto returnOp =
      dyn_cast<ReturnOp>(schedule.getBody().front().getTerminator());
  if (!returnOp)
    return std::nullopt;
  unsigned position = dynamicIndex;
  for (BlockArgument output : schedule.getOutputBuffers()) {
    if (output == argument)
      break;
    position += cast<MemRefType>(output.getType()).getNumDynamicDims();
  }
  if (position >= returnOp.getOutputDims().size())
    return std::nullopt;
  return DimSource{std::nullopt, returnOp.getOutputDims()[position],
                   AffineExpr()};
}

std::optional<IndexRange>
aicc::exec::getDimRange(const DimSource &source,
                        ArrayRef<SymbolInfo> symbols) {
  if (source.constant)
    return IndexRange{*source.constant, *source.constant};
  if (source.value)
    return getIndexRange(source.value, symbols);
  SmallVector<IndexRange> ranges;
  for (const SymbolInfo &symbol : symbols)
    ranges.push_back(symbol.range);
  return getAffineRange(source.expr, {}, ranges);
}

LogicalResult aicc::exec::appendDimCode(const DimSource &source,
                                        std::vector<int64_t> &code) {
  if (source.constant) {
    code.push_back(static_cast<int64_t>(IntExprOp::Const));
    code.push_back(*source.constant);
    return success();
  }
  if (source.value)
    return appendIndexCode(source.value, code);
  return appendSymbolExprCode(source.expr, code);
}

std::optional<uint64_t>
aicc::exec::getBufferUpperBoundBytes(Value buffer,
                                     ArrayRef<SymbolInfo> symbols) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type)
    return std::nullopt;
  std::optional<uint64_t> element = getElementByteSize(type.getElementType());
  if (!element)
    return std::nullopt;
  if (type.hasStaticShape())
    return getByteSize(type);
  if (auto alloc = buffer.getDefiningOp<AllocOp>())
    if (std::optional<uint64_t> bound = alloc.getUpperBoundBytes())
      return bound;
  uint64_t bytes = *element;
  for (unsigned dim = 0; dim < type.getRank(); ++dim) {
    std::optional<DimSource> source = getBufferDim(buffer, dim);
    if (!source)
      return std::nullopt;
    std::optional<IndexRange> range = getDimRange(*source, symbols);
    if (!range)
      return std::nullopt;
    uint64_t extent = static_cast<uint64_t>(std::max<int64_t>(range->hi, 0));
    if (extent != 0 && bytes > UINT64_MAX / extent)
      return std::nullopt;
    bytes *= extent;
  }
  return bytes;
}

std::string aicc::exec::formatIndexCode(ArrayRef<int64_t> code,
                                        ArrayRef<SymbolInfo> symbols) {
  std::vector<std::string> stack;
  auto binary = [&](const char *op) {
    if (stack.size() < 2)
      return false;
    std::string b = stack.back();
    stack.pop_back();
    std::string &a = stack.back();
    if (std::string(op) == "min" || std::string(op) == "max")
      a = std::string(op) + "(" + a + ", " + b + ")";
    else
      a = "(" + a + " " + op + " " + b + ")";
    return true;
  };
  for (size_t pc = 0; pc < code.size(); ++pc) {
    auto op = static_cast<IntExprOp>(code[pc]);
    bool ok = true;
    switch (op) {
    case IntExprOp::Const:
    case IntExprOp::Sym: {
      if (pc + 1 >= code.size())
        return "<malformed>";
      int64_t operand = code[++pc];
      if (op == IntExprOp::Const)
        stack.push_back(std::to_string(operand));
      else if (operand >= 0 && static_cast<size_t>(operand) < symbols.size())
        stack.push_back(symbols[operand].name);
      else
        stack.push_back("s" + std::to_string(operand));
      break;
    }
    case IntExprOp::Add:
      ok = binary("+");
      break;
    case IntExprOp::Sub:
      ok = binary("-");
      break;
    case IntExprOp::Mul:
      ok = binary("*");
      break;
    case IntExprOp::FloorDiv:
      ok = binary("floordiv");
      break;
    case IntExprOp::CeilDiv:
      ok = binary("ceildiv");
      break;
    case IntExprOp::Mod:
      ok = binary("mod");
      break;
    case IntExprOp::Min:
      ok = binary("min");
      break;
    case IntExprOp::Max:
      ok = binary("max");
      break;
    case IntExprOp::Neg:
      if (stack.empty())
        return "<malformed>";
      stack.back() = "-" + stack.back();
      break;
    default:
      return "<program>";
    }
    if (!ok)
      return "<malformed>";
  }
  if (stack.size() != 1)
    return "<malformed>";
  std::string text = stack.front();
  if (text.size() > 2 && text.front() == '(' && text.back() == ')')
    text = text.substr(1, text.size() - 2);
  return text;
}

LogicalResult aicc::exec::appendBufferBytesCode(Value buffer,
                                                std::vector<int64_t> &code) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type)
    return failure();
  std::optional<uint64_t> element = getElementByteSize(type.getElementType());
  if (!element)
    return failure();
  code.push_back(static_cast<int64_t>(IntExprOp::Const));
  code.push_back(static_cast<int64_t>(*element));
  for (unsigned dim = 0; dim < type.getRank(); ++dim) {
    std::optional<DimSource> source = getBufferDim(buffer, dim);
    if (!source || failed(appendDimCode(*source, code)))
      return failure();
    code.push_back(static_cast<int64_t>(IntExprOp::Mul));
  }
  return success();
}
