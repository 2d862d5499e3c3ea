//===- NpyTest.cpp - The .npy reader and writer ---------------------------===//
//
// Fixtures in data/ were written by NumPy itself (data/make_npy_data.py), so
// the reader is checked against the reference implementation of the format.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "TestUtil.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>

using namespace aicc;
using namespace aicc::test;

namespace {

std::string dataPath(const char *name) {
  return std::string(AICC_TEST_DATA_DIR) + "/" + name;
}

/// Reads a NumPy fixture; fails the test on error.
npy::Array readFixture(const char *name) {
  npy::Array array;
  std::string error;
  EXPECT_TRUE(npy::readFile(dataPath(name), &array, &error)) << error;
  return array;
}

std::string readError(const char *name) {
  npy::Array array;
  std::string error;
  EXPECT_FALSE(npy::readFile(dataPath(name), &array, &error)) << name;
  return error;
}

std::string parseError(const std::vector<uint8_t> &bytes) {
  npy::Array array;
  std::string error;
  EXPECT_FALSE(npy::parse(bytes.data(), bytes.size(), &array, &error));
  return error;
}

template <typename T> std::vector<T> values(const npy::Array &array) {
  std::vector<T> out(array.data.size() / sizeof(T));
  std::memcpy(out.data(), array.data.data(), array.data.size());
  return out;
}

std::vector<uint8_t> header(const std::string &dict, uint8_t major = 1) {
  std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
  size_t length = dict.size();
  bytes.push_back(static_cast<uint8_t>(length));
  bytes.push_back(static_cast<uint8_t>(length >> 8));
  if (major > 1) {
    bytes.push_back(static_cast<uint8_t>(length >> 16));
    bytes.push_back(static_cast<uint8_t>(length >> 24));
  }
  bytes.insert(bytes.end(), dict.begin(), dict.end());
  return bytes;
}

TEST(NpyTest, ReadsNumpyFiles) {
  npy::Array f32 = readFixture("f32_2x3.npy");
  EXPECT_EQ(f32.elementType, AICC_ELEMENT_TYPE_F32);
  EXPECT_EQ(f32.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<float>(f32),
            (std::vector<float>{-1, -0.5f, 0, 0.5f, 1, 1.5f}));

  npy::Array f16 = readFixture("f16_4.npy");
  EXPECT_EQ(f16.elementType, AICC_ELEMENT_TYPE_F16);
  // 1.0, -2.5, 65504 (largest half), 2^-14 (smallest normal half).
  EXPECT_EQ(values<uint16_t>(f16),
            (std::vector<uint16_t>{0x3c00, 0xc100, 0x7bff, 0x0400}));

  npy::Array boolean = readFixture("bool_5.npy");
  EXPECT_EQ(boolean.elementType, AICC_ELEMENT_TYPE_BOOL);
  EXPECT_EQ(values<uint8_t>(boolean), (std::vector<uint8_t>{1, 0, 1, 1, 0}));

  npy::Array i64 = readFixture("i64_3x1.npy");
  EXPECT_EQ(i64.elementType, AICC_ELEMENT_TYPE_I64);
  EXPECT_EQ(i64.shape, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(values<int64_t>(i64), (std::vector<int64_t>{-1, 1ll << 40, 7}));

  npy::Array scalar = readFixture("u8_scalar.npy");
  EXPECT_EQ(scalar.elementType, AICC_ELEMENT_TYPE_U8);
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(scalar.elementCount(), 1u);
  EXPECT_EQ(values<uint8_t>(scalar), (std::vector<uint8_t>{200}));

  npy::Array empty = readFixture("f64_empty.npy");
  EXPECT_EQ(empty.elementType, AICC_ELEMENT_TYPE_F64);
  EXPECT_EQ(empty.shape, (std::vector<int64_t>{0, 4}));
  EXPECT_TRUE(empty.data.empty());
}

TEST(NpyTest, ReadsFormatVersions2And3) {
  for (const char *name : {"i16_v2.npy", "i16_v3.npy"}) {
    npy::Array array = readFixture(name);
    EXPECT_EQ(array.elementType, AICC_ELEMENT_TYPE_I16) << name;
    EXPECT_EQ(array.shape, (std::vector<int64_t>{2, 2})) << name;
    EXPECT_EQ(values<int16_t>(array), (std::vector<int16_t>{1, -2, 300, -400}))
        << name;
  }
}

TEST(NpyTest, RejectsWhatTheRuntimeCannotUse) {
  EXPECT_NE(readError("fortran_f32.npy").find("Fortran-order"),
            std::string::npos);
  EXPECT_NE(readError("bigendian_i32.npy").find("big-endian dtype '>i4'"),
            std::string::npos);
  EXPECT_NE(readError("structured.npy").find("structured"), std::string::npos);
  std::string complex = readError("complex64.npy");
  EXPECT_NE(complex.find("unsupported dtype '<c8'"), std::string::npos)
      << complex;
  std::string missing = readError("no_such_file.npy");
  EXPECT_NE(missing.find("no_such_file.npy: cannot open"), std::string::npos);
}

TEST(NpyTest, WritesWhatNumpyWrites) {
  // Byte-identical to numpy.save for the same array.
  for (const char *name : {"f32_2x3.npy", "bool_5.npy", "i64_3x1.npy",
                           "u8_scalar.npy", "f64_empty.npy", "f16_4.npy"}) {
    npy::Array array = readFixture(name);
    std::string error;
    std::vector<uint8_t> bytes = npy::serialize(array, &error);
    EXPECT_EQ(bytes, readFileBytes(dataPath(name))) << name << " " << error;
  }
}

TEST(NpyTest, RoundTripsEveryDtype) {
  const aicc_element_type_t types[] = {
      AICC_ELEMENT_TYPE_F32, AICC_ELEMENT_TYPE_F64, AICC_ELEMENT_TYPE_F16,
      AICC_ELEMENT_TYPE_I8,  AICC_ELEMENT_TYPE_I16, AICC_ELEMENT_TYPE_I32,
      AICC_ELEMENT_TYPE_I64, AICC_ELEMENT_TYPE_U8,  AICC_ELEMENT_TYPE_U16,
      AICC_ELEMENT_TYPE_U32, AICC_ELEMENT_TYPE_U64, AICC_ELEMENT_TYPE_BOOL};
  for (aicc_element_type_t type : types) {
    npy::Array array;
    array.elementType = type;
    array.shape = {3, 2};
    array.data.resize(6 * npy::elementSize(type));
    for (size_t i = 0; i < array.data.size(); ++i)
      array.data[i] = static_cast<uint8_t>(
          type == AICC_ELEMENT_TYPE_BOOL ? i % 2 : i * 31 + 7);
    std::string error;
    std::vector<uint8_t> bytes = npy::serialize(array, &error);
    ASSERT_FALSE(bytes.empty()) << error;
    EXPECT_EQ((bytes[8] | (bytes[9] << 8)) + 10, 128) << "64-byte aligned data";
    npy::Array back;
    ASSERT_TRUE(npy::parse(bytes.data(), bytes.size(), &back, &error)) << error;
    EXPECT_EQ(back.elementType, type);
    EXPECT_EQ(back.shape, array.shape);
    EXPECT_EQ(back.data, array.data);
  }
  npy::Array bf16;
  bf16.elementType = AICC_ELEMENT_TYPE_BF16;
  bf16.shape = {1};
  bf16.data.resize(2);
  std::string error;
  EXPECT_TRUE(npy::serialize(bf16, &error).empty());
  EXPECT_NE(error.find("bfloat16"), std::string::npos);
}

TEST(NpyTest, LongHeadersUseVersion2) {
  npy::Array array;
  array.elementType = AICC_ELEMENT_TYPE_U8;
  array.shape.assign(30000, 1); // "1, " * 30000 > 65535 bytes of header.
  array.data = {42};
  std::string error;
  std::vector<uint8_t> bytes = npy::serialize(array, &error);
  ASSERT_FALSE(bytes.empty()) << error;
  EXPECT_EQ(bytes[6], 2);
  npy::Array back;
  ASSERT_TRUE(npy::parse(bytes.data(), bytes.size(), &back, &error)) << error;
  EXPECT_EQ(back.shape.size(), 30000u);
  EXPECT_EQ(back.data, array.data);
}

TEST(NpyTest, RejectsDamagedFiles) {
  const std::string good =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
  std::vector<uint8_t> valid = header(good);
  valid.resize(valid.size() + 8, 0);
  npy::Array array;
  std::string error;
  EXPECT_TRUE(npy::parse(valid.data(), valid.size(), &array, &error)) << error;

  EXPECT_NE(parseError({1, 2, 3}).find("bad magic"), std::string::npos);
  std::vector<uint8_t> badMagic = valid;
  badMagic[1] = 'X';
  EXPECT_NE(parseError(badMagic).find("bad magic"), std::string::npos);
  std::vector<uint8_t> version4 = valid;
  version4[6] = 4;
  EXPECT_NE(parseError(version4).find("format version 4.0"), std::string::npos);
  // Truncated header, truncated data (one byte short), trailing data is fine.
  EXPECT_NE(parseError(std::vector<uint8_t>(valid.begin(), valid.begin() + 30))
                .find("truncated .npy header"),
            std::string::npos);
  std::string truncated =
      parseError(std::vector<uint8_t>(valid.begin(), valid.end() - 1));
  EXPECT_NE(truncated.find("truncated data: the array needs 8 bytes, the file "
                           "has 7"),
            std::string::npos)
      << truncated;
  std::vector<uint8_t> trailing = valid;
  trailing.push_back(9);
  EXPECT_TRUE(npy::parse(trailing.data(), trailing.size(), &array, &error));
  EXPECT_EQ(array.data.size(), 8u);

  EXPECT_NE(parseError(header("{'descr': '<f4', 'shape': (2,), }"))
                .find("lacks one of"),
            std::string::npos);
  EXPECT_NE(parseError(header("['descr']")).find("not a Python dict"),
            std::string::npos);
  EXPECT_NE(parseError(header("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (-2,), }"))
                .find("non-negative integers"),
            std::string::npos);
  EXPECT_NE(parseError(header("{'descr': '<f4', 'fortran_order': 0, "
                              "'shape': (2,), }"))
                .find("unexpected value in the header"),
            std::string::npos);
  EXPECT_NE(parseError(header("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (99999999999, 99999999999, "
                              "99999999999), }"))
                .find("overflows"),
            std::string::npos);
  EXPECT_NE(parseError(header("{'descr': '<q9', 'fortran_order': False, "
                              "'shape': (2,), }"))
                .find("unsupported dtype '<q9'"),
            std::string::npos);
  EXPECT_NE(parseError(header("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (2,) \xc3\xa9}"))
                .find("non-ASCII"),
            std::string::npos);
  // Version 3 allows UTF-8, but the dict must still be well formed.
  EXPECT_NE(parseError(header("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (2,) \xc3\xa9}",
                              3))
                .find("expected ',' or '}'"),
            std::string::npos);
}

TEST(NpyTest, AcceptsNumpyDtypeSpellings) {
  struct Case {
    const char *descr;
    aicc_element_type_t type;
  } cases[] = {{"|b1", AICC_ELEMENT_TYPE_BOOL}, {"?", AICC_ELEMENT_TYPE_BOOL},
               {"|i1", AICC_ELEMENT_TYPE_I8},   {">u1", AICC_ELEMENT_TYPE_U8},
               {"=f8", AICC_ELEMENT_TYPE_F64},  {"<u8", AICC_ELEMENT_TYPE_U64}};
  for (const Case &c : cases) {
    std::vector<uint8_t> bytes =
        header(std::string("{\"descr\": \"") + c.descr +
               "\", \"fortran_order\": False, \"shape\": (1L,)}");
    bytes.resize(bytes.size() + 8, 0);
    npy::Array array;
    std::string error;
    ASSERT_TRUE(npy::parse(bytes.data(), bytes.size(), &array, &error))
        << c.descr << ": " << error;
    EXPECT_EQ(array.elementType, c.type) << c.descr;
  }
}

} // namespace

namespace {

/// readFile() on `path`, expected to fail; returns the message.
std::string readPathError(const std::string &path, uint64_t maxDataBytes) {
  npy::Array array;
  std::string error;
  EXPECT_FALSE(npy::readFile(path, &array, &error, maxDataBytes)) << path;
  return error;
}

} // namespace

// Tests that readFile() refuses what is not a regular file before reading it:
// /dev/zero would otherwise be read until memory runs out, a FIFO would block.
TEST(NpyTest, ReadFileRejectsNonRegularFiles) {
  std::string zero = readPathError("/dev/zero", UINT64_MAX);
  EXPECT_NE(zero.find("/dev/zero: not a regular file"), std::string::npos)
      << zero;
  std::string dir = makeTempDir("npy-dir");
  std::string directory = readPathError(dir, UINT64_MAX);
  EXPECT_NE(directory.find(dir + ": is a directory"), std::string::npos)
      << directory;
  std::string fifo = dir + "/fifo.npy";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  std::string fifoError = readPathError(fifo, UINT64_MAX);
  EXPECT_NE(fifoError.find("not a regular file"), std::string::npos)
      << fifoError;
  std::remove(fifo.c_str());
}

// Tests that the data size the header declares is checked against the file
// size and the caller's limit before the data is read.
TEST(NpyTest, ReadFileChecksSizesBeforeReading) {
  std::string dir = makeTempDir("npy-sizes");
  // A header that declares 2^40 f32 elements, followed by 8 bytes.
  std::vector<uint8_t> huge =
      header("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776,"
             "), }\n");
  huge.resize(huge.size() + 8, 0);
  ASSERT_TRUE(writeFileBytes(dir + "/huge.npy", huge));
  std::string hugeError = readPathError(dir + "/huge.npy", UINT64_MAX);
  EXPECT_NE(hugeError.find("truncated data: the array needs 4398046511104 "
                           "bytes, the file has 8"),
            std::string::npos)
      << hugeError;

  std::vector<uint8_t> valid =
      header("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }\n");
  valid.resize(valid.size() + 16, 0);
  ASSERT_TRUE(writeFileBytes(dir + "/four.npy", valid));
  std::vector<uint8_t> truncated(valid.begin(), valid.end() - 3);
  ASSERT_TRUE(writeFileBytes(dir + "/truncated.npy", truncated));
  std::string truncatedError =
      readPathError(dir + "/truncated.npy", UINT64_MAX);
  EXPECT_NE(truncatedError.find("truncated data: the array needs 16 bytes, "
                                "the file has 13"),
            std::string::npos)
      << truncatedError;
  std::vector<uint8_t> shortHeader(valid.begin(), valid.begin() + 20);
  ASSERT_TRUE(writeFileBytes(dir + "/short-header.npy", shortHeader));
  EXPECT_NE(readPathError(dir + "/short-header.npy", UINT64_MAX)
                .find("truncated .npy header"),
            std::string::npos);
  ASSERT_TRUE(writeFileBytes(dir + "/empty.npy", {}));
  EXPECT_NE(readPathError(dir + "/empty.npy", UINT64_MAX).find("bad magic"),
            std::string::npos);

  std::string limit = readPathError(dir + "/four.npy", 8);
  EXPECT_NE(limit.find("the array (shape [4]) holds 16 bytes, more than the 8 "
                       "bytes the tensor takes"),
            std::string::npos)
      << limit;
  npy::Array array;
  std::string error;
  EXPECT_TRUE(npy::readFile(dir + "/four.npy", &array, &error, 16)) << error;
  EXPECT_EQ(array.data.size(), 16u);
  EXPECT_EQ(array.shape, std::vector<int64_t>{4});
}

namespace {

/// A one-dimensional .npy array of `type` holding `bytes`.
npy::Array byteArray(aicc_element_type_t type, std::vector<uint8_t> bytes) {
  npy::Array array;
  array.elementType = type;
  array.shape = {static_cast<int64_t>(bytes.size())};
  array.data = std::move(bytes);
  return array;
}

TEST(NpyTest, NarrowTypesAreOneByteWithNames) {
  struct Case {
    aicc_element_type_t type;
    const char *name;
    const char *descr;
  } cases[] = {{AICC_ELEMENT_TYPE_F8E4M3FN, "f8e4m3fn", "|u1"},
               {AICC_ELEMENT_TYPE_F8E4M3FNUZ, "f8e4m3fnuz", "|u1"},
               {AICC_ELEMENT_TYPE_F8E5M2, "f8e5m2", "|u1"},
               {AICC_ELEMENT_TYPE_F8E5M2FNUZ, "f8e5m2fnuz", "|u1"},
               {AICC_ELEMENT_TYPE_F8E8M0FNU, "f8e8m0fnu", "|u1"},
               {AICC_ELEMENT_TYPE_F4E2M1FN, "f4e2m1fn", "|u1"},
               {AICC_ELEMENT_TYPE_I4, "i4", "|i1"},
               {AICC_ELEMENT_TYPE_U4, "u4", "|u1"},
               {AICC_ELEMENT_TYPE_I2, "i2", "|i1"},
               {AICC_ELEMENT_TYPE_U2, "u2", "|u1"}};
  // Appended after the existing values, which never change.
  EXPECT_EQ(AICC_ELEMENT_TYPE_BOOL, 13);
  EXPECT_EQ(AICC_ELEMENT_TYPE_F8E4M3FN, 14);
  EXPECT_EQ(AICC_ELEMENT_TYPE_LAST, AICC_ELEMENT_TYPE_U2);
  EXPECT_EQ(AICC_ELEMENT_TYPE_U2, 23);
  for (const Case &c : cases) {
    EXPECT_EQ(aicc_element_type_size(c.type), 1u) << c.name;
    EXPECT_STREQ(aicc_element_type_name(c.type), c.name);
    EXPECT_STREQ(npy::dtypeDescr(c.type), c.descr) << c.name;
    // A narrow array is written with its byte dtype.
    std::string error;
    std::vector<uint8_t> bytes =
        npy::serialize(byteArray(c.type, {0, 1}), &error);
    ASSERT_FALSE(bytes.empty()) << c.name << ": " << error;
    std::string text(bytes.begin(), bytes.end());
    EXPECT_NE(text.find(std::string("'descr': '") + c.descr + "'"),
              std::string::npos)
        << c.name;
  }
  EXPECT_EQ(aicc_element_type_size(
                static_cast<aicc_element_type_t>(AICC_ELEMENT_TYPE_LAST + 1)),
            0u);
}

TEST(NpyTest, AdoptsNarrowTypesWithinTheirRange) {
  struct Case {
    aicc_element_type_t from, to;
    std::vector<uint8_t> bytes;
  } cases[] = {
      {AICC_ELEMENT_TYPE_U8, AICC_ELEMENT_TYPE_F8E4M3FN, {0x00, 0x7f, 0xff}},
      {AICC_ELEMENT_TYPE_U8, AICC_ELEMENT_TYPE_F8E8M0FNU, {0x00, 0xff}},
      {AICC_ELEMENT_TYPE_U8, AICC_ELEMENT_TYPE_F4E2M1FN, {0, 15}},
      {AICC_ELEMENT_TYPE_I8, AICC_ELEMENT_TYPE_I4, {0xf8, 0x07}}, // -8, 7
      {AICC_ELEMENT_TYPE_U8, AICC_ELEMENT_TYPE_I4, {0, 7}},
      {AICC_ELEMENT_TYPE_U8, AICC_ELEMENT_TYPE_U4, {0, 15}},
      {AICC_ELEMENT_TYPE_I8, AICC_ELEMENT_TYPE_I2, {0xfe, 0x01}}, // -2, 1
      {AICC_ELEMENT_TYPE_U8, AICC_ELEMENT_TYPE_U2, {0, 3}}};
  for (const Case &c : cases) {
    npy::Array array = byteArray(c.from, c.bytes);
    std::string error;
    EXPECT_TRUE(npy::adoptNarrowType(&array, c.to, &error))
        << aicc_element_type_name(c.to) << ": " << error;
    EXPECT_EQ(array.elementType, c.to);
    EXPECT_EQ(array.data, c.bytes);
  }
}

TEST(NpyTest, RejectsNarrowValuesOutOfRange) {
  struct Case {
    aicc_element_type_t from, to;
    std::vector<uint8_t> bytes;
    const char *message;
  } cases[] = {
      {AICC_ELEMENT_TYPE_I8,
       AICC_ELEMENT_TYPE_I4,
       {1, 100},
       "element 1 is 100, outside the range [-8, 7] of i4"},
      {AICC_ELEMENT_TYPE_I8,
       AICC_ELEMENT_TYPE_I4,
       {0xf7},
       "element 0 is -9, outside the range [-8, 7] of i4"},
      {AICC_ELEMENT_TYPE_U8,
       AICC_ELEMENT_TYPE_U4,
       {16},
       "element 0 is 16, outside the range [0, 15] of u4"},
      {AICC_ELEMENT_TYPE_I8,
       AICC_ELEMENT_TYPE_I2,
       {2},
       "element 0 is 2, outside the range [-2, 1] of i2"},
      {AICC_ELEMENT_TYPE_U8,
       AICC_ELEMENT_TYPE_U2,
       {0, 0, 4},
       "element 2 is 4, outside the range [0, 3] of u2"},
      {AICC_ELEMENT_TYPE_U8,
       AICC_ELEMENT_TYPE_F4E2M1FN,
       {0x10},
       "element 0 is 16, outside the range [0, 15] of f4e2m1fn bit patterns"}};
  for (const Case &c : cases) {
    npy::Array array = byteArray(c.from, c.bytes);
    std::string error;
    EXPECT_FALSE(npy::adoptNarrowType(&array, c.to, &error))
        << aicc_element_type_name(c.to);
    EXPECT_EQ(error, c.message);
    EXPECT_EQ(array.elementType, c.from) << "a failed adoption keeps the type";
  }
}

TEST(NpyTest, LeavesOtherArraysAlone) {
  std::string error;
  // Not a byte array: the caller's type check reports the mismatch.
  npy::Array floats = byteArray(AICC_ELEMENT_TYPE_F32, {0, 0, 0, 0});
  EXPECT_TRUE(npy::adoptNarrowType(&floats, AICC_ELEMENT_TYPE_I4, &error));
  EXPECT_EQ(floats.elementType, AICC_ELEMENT_TYPE_F32);
  // Signed bytes are not float8 bit patterns.
  npy::Array signedBytes = byteArray(AICC_ELEMENT_TYPE_I8, {1});
  EXPECT_TRUE(
      npy::adoptNarrowType(&signedBytes, AICC_ELEMENT_TYPE_F8E5M2, &error));
  EXPECT_EQ(signedBytes.elementType, AICC_ELEMENT_TYPE_I8);
  // Not a narrow type: nothing to adopt.
  npy::Array bytes = byteArray(AICC_ELEMENT_TYPE_U8, {200});
  EXPECT_TRUE(npy::adoptNarrowType(&bytes, AICC_ELEMENT_TYPE_I8, &error));
  EXPECT_EQ(bytes.elementType, AICC_ELEMENT_TYPE_U8);
}

} // namespace
