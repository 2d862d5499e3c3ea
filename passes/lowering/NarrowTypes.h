//===- NarrowTypes.h - float8/float4/int4/int2 storage and conversions ----===//
//
// The element types narrower than a byte or without arithmetic in the kernels:
// f8E4M3FN, f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ, f8E8M0FNU, f4E2M1FN, i4/ui4 and
// i2/ui2. The graph and the linalg lowering use MLIR's types; the
// aicc-legalize-narrow-types pass (LowerNarrowTypes.cpp) stores each of them
// in one byte (docs/Artifact.md: the float types as their bit pattern, int4
// and int2 sign-extended in an i8, uint4 and uint2 in a ui8) and expands every
// conversion into integer arithmetic, so no kernel sees these types.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_PASSES_LOWERING_NARROWTYPES_H
#define AICC_PASSES_LOWERING_NARROWTYPES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Types.h"

namespace aicc::lowering {

/// f8E4M3FN, f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ, f8E8M0FNU or f4E2M1FN.
bool isNarrowFloat(mlir::Type type);
/// An integer type of width 2 or 4 (signless or unsigned).
bool isNarrowInt(mlir::Type type);
/// isNarrowFloat or isNarrowInt.
bool isNarrowType(mlir::Type type);

/// The one-byte storage of a narrow element type (i8 for the float types and
/// signless/signed integers, ui8 for unsigned ones); other types unchanged.
/// Shaped types map their element type.
mlir::Type getNarrowStorageType(mlir::Type type);

/// Discardable attributes of an `arith.truncf` (or int-to-float conversion)
/// to a narrow float type inside a linalg body, which the legalization reads:
/// `aicc.saturate` (bool; absent: false, MLIR's own semantics: out-of-range
/// values become inf or NaN) and `aicc.round_mode` ("up", "down" or
/// "nearest"; f8E8M0FNU only; absent: "nearest").
inline constexpr llvm::StringLiteral kSaturateAttrName = "aicc.saturate";
inline constexpr llvm::StringLiteral kRoundModeAttrName = "aicc.round_mode";

/// Argument and result attribute (TypeAttr) of a function whose narrow
/// tensor was given its storage type: the element type the caller sees. The
/// artifact's signature uses it (targets/common/Serializer.cpp).
inline constexpr llvm::StringLiteral kElementTypeAttrName = "aicc.element_type";

/// ONNX Cast of the scalar `x` (a linalg body value; unsigned values are
/// signless, `srcUnsigned`/`dstUnsigned` say how to read them) to `dstType`
/// (signless) when either side is a narrow type: standard arith conversions
/// on the MLIR types, carrying `saturate` and `roundMode` for the
/// legalization. Float to narrow integer wraps like ONNX's reference
/// (truncation toward zero, then the low bits).
mlir::Value buildNarrowCast(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value x, mlir::Type dstType, bool srcUnsigned,
                            bool dstUnsigned, bool saturate,
                            llvm::StringRef roundMode);

/// Decodes the storage byte `bits` (i8) of the narrow float type `type` into
/// f32 (exact).
mlir::Value decodeNarrowFloat(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value bits, mlir::Type type);
/// Encodes the f32 `x` as the storage byte (i8) of the narrow float type
/// `type`: round to nearest even (E8M0: `roundMode`); with `saturate`,
/// out-of-range values and infinities become the largest finite value of
/// their sign, otherwise inf (E5M2) or NaN (the FN/FNUZ types); float4 always
/// saturates.
mlir::Value encodeNarrowFloat(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value x, mlir::Type type, bool saturate,
                              llvm::StringRef roundMode);

} // namespace aicc::lowering

#endif // AICC_PASSES_LOWERING_NARROWTYPES_H
