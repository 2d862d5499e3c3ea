//===- Npy.cpp - Reading and writing NumPy .npy files ---------------------===//
//
// The header is a Python literal; rather than evaluate it, a small parser
// accepts exactly the subset numpy writes: a dict with string keys whose
// values are strings, True/False, or tuples of non-negative integers.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "ElementType.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

using namespace aicc;
using namespace aicc::npy;

static const uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

uint64_t Array::elementCount() const {
  uint64_t count = 1;
  for (int64_t dim : shape)
    count *= static_cast<uint64_t>(dim);
  return count;
}

size_t npy::elementSize(aicc_element_type_t type) {
  return elementTypeSize(type);
}

namespace {

struct DtypeEntry {
  char kind;
  int size;
  aicc_element_type_t type;
};

const DtypeEntry kDtypes[] = {
    {'f', 2, AICC_ELEMENT_TYPE_F16}, {'f', 4, AICC_ELEMENT_TYPE_F32},
    {'f', 8, AICC_ELEMENT_TYPE_F64}, {'i', 1, AICC_ELEMENT_TYPE_I8},
    {'i', 2, AICC_ELEMENT_TYPE_I16}, {'i', 4, AICC_ELEMENT_TYPE_I32},
    {'i', 8, AICC_ELEMENT_TYPE_I64}, {'u', 1, AICC_ELEMENT_TYPE_U8},
    {'u', 2, AICC_ELEMENT_TYPE_U16}, {'u', 4, AICC_ELEMENT_TYPE_U32},
    {'u', 8, AICC_ELEMENT_TYPE_U64}, {'b', 1, AICC_ELEMENT_TYPE_BOOL},
};

/// A header value: a string, a bool or a tuple of integers.
struct Value {
  enum Kind { String, Bool, Tuple } kind = String;
  std::string text;
  bool flag = false;
  std::vector<int64_t> items;
};

class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : text_(text) {}

  /// Parses the dict and returns its three fields.
  bool parse(std::string *descr, bool *fortranOrder,
             std::vector<int64_t> *shape, std::string *error) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return fail("the header is not a Python dict", error);
    for (;;) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(&key))
        return fail("expected a quoted key in the header", error);
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after key '" + key + "'", error);
      Value value;
      if (!parseValue(&value, error))
        return false;
      if (key == "descr") {
        if (value.kind != Value::String)
          return fail("structured or subarray dtypes are not supported (the "
                      "'descr' is not a simple type string)",
                      error);
        *descr = value.text;
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (value.kind != Value::Bool)
          return fail("'fortran_order' must be True or False", error);
        *fortranOrder = value.flag;
        haveOrder = true;
      } else if (key == "shape") {
        if (value.kind != Value::Tuple)
          return fail("'shape' must be a tuple of integers", error);
        *shape = value.items;
        haveShape = true;
      }
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return fail("expected ',' or '}' in the header", error);
    }
    if (!haveDescr || !haveOrder || !haveShape)
      return fail("the header lacks one of 'descr', 'fortran_order', 'shape'",
                  error);
    return true;
  }

private:
  static bool fail(const std::string &message, std::string *error) {
    *error = message;
    return false;
  }

  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  bool consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool consumeWord(const char *word) {
    size_t length = std::strlen(word);
    if (text_.compare(pos_, length, word) != 0)
      return false;
    pos_ += length;
    return true;
  }

  bool parseString(std::string *out) {
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"'))
      return false;
    char quote = text_[pos_++];
    size_t end = text_.find(quote, pos_);
    if (end == std::string::npos)
      return false;
    *out = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return true;
  }

  bool parseInteger(int64_t *out) {
    size_t start = pos_;
    int64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      int digit = text_[pos_] - '0';
      if (value > (std::numeric_limits<int64_t>::max() - digit) / 10)
        return false;
      value = value * 10 + digit;
      ++pos_;
    }
    if (pos_ == start)
      return false;
    consume('L'); // Python 2 longs.
    *out = value;
    return true;
  }

  bool parseValue(Value *value, std::string *error) {
    skipSpace();
    if (parseString(&value->text)) {
      value->kind = Value::String;
      return true;
    }
    if (consumeWord("True")) {
      value->kind = Value::Bool;
      value->flag = true;
      return true;
    }
    if (consumeWord("False")) {
      value->kind = Value::Bool;
      value->flag = false;
      return true;
    }
    if (consume('(')) {
      value->kind = Value::Tuple;
      for (;;) {
        skipSpace();
        if (consume(')'))
          return true;
        int64_t item;
        if (!parseInteger(&item))
          return fail("'shape' must hold non-negative integers", error);
        value->items.push_back(item);
        skipSpace();
        if (consume(','))
          continue;
        skipSpace();
        if (consume(')'))
          return true;
        return fail("malformed shape tuple in the header", error);
      }
    }
    if (pos_ < text_.size() && text_[pos_] == '[')
      return fail("structured dtypes are not supported", error);
    return fail("unexpected value in the header", error);
  }

  const std::string &text_;
  size_t pos_ = 0;
};

bool decodeDescr(const std::string &descr, aicc_element_type_t *out,
                 std::string *error) {
  std::string body = descr;
  char order = '=';
  if (!body.empty() && std::strchr("<>|=", body[0])) {
    order = body[0];
    body = body.substr(1);
  }
  if (body == "?")
    body = "b1";
  if (body.size() < 2) {
    *error = "unsupported dtype '" + descr + "'";
    return false;
  }
  char kind = body[0];
  int size = 0;
  for (size_t i = 1; i < body.size(); ++i) {
    if (body[i] < '0' || body[i] > '9' || size > 1000) {
      *error = "unsupported dtype '" + descr + "'";
      return false;
    }
    size = size * 10 + (body[i] - '0');
  }
  for (const DtypeEntry &entry : kDtypes) {
    if (entry.kind == kind && entry.size == size) {
      if (order == '>' && size > 1) {
        *error = "big-endian dtype '" + descr +
                 "' is not supported; convert with "
                 "a.astype(a.dtype.newbyteorder('<'))";
        return false;
      }
      *out = entry.type;
      return true;
    }
  }
  *error = "unsupported dtype '" + descr +
           "' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1)";
  return false;
}

} // namespace

const char *npy::dtypeDescr(aicc_element_type_t type) {
  switch (type) {
  case AICC_ELEMENT_TYPE_F16:
    return "<f2";
  case AICC_ELEMENT_TYPE_F32:
    return "<f4";
  case AICC_ELEMENT_TYPE_F64:
    return "<f8";
  case AICC_ELEMENT_TYPE_I8:
    return "|i1";
  case AICC_ELEMENT_TYPE_I16:
    return "<i2";
  case AICC_ELEMENT_TYPE_I32:
    return "<i4";
  case AICC_ELEMENT_TYPE_I64:
    return "<i8";
  case AICC_ELEMENT_TYPE_U8:
    return "|u1";
  case AICC_ELEMENT_TYPE_U16:
    return "<u2";
  case AICC_ELEMENT_TYPE_U32:
    return "<u4";
  case AICC_ELEMENT_TYPE_U64:
    return "<u8";
  case AICC_ELEMENT_TYPE_BOOL:
    return "|b1";
  case AICC_ELEMENT_TYPE_I4:
  case AICC_ELEMENT_TYPE_I2:
    return "|i1";
  case AICC_ELEMENT_TYPE_F8E4M3FN:
  case AICC_ELEMENT_TYPE_F8E4M3FNUZ:
  case AICC_ELEMENT_TYPE_F8E5M2:
  case AICC_ELEMENT_TYPE_F8E5M2FNUZ:
  case AICC_ELEMENT_TYPE_F8E8M0FNU:
  case AICC_ELEMENT_TYPE_F4E2M1FN:
  case AICC_ELEMENT_TYPE_U4:
  case AICC_ELEMENT_TYPE_U2:
    return "|u1";
  default:
    return "";
  }
}

bool npy::adoptNarrowType(Array *array, aicc_element_type_t type,
                          std::string *error) {
  int lo = 0, hi = 0;
  bool isInt = narrowIntRange(type, &lo, &hi);
  if (!isInt && !isNarrowFloatType(type))
    return true;
  bool isSigned = array->elementType == AICC_ELEMENT_TYPE_I8;
  if (array->elementType != AICC_ELEMENT_TYPE_U8 && !(isInt && isSigned))
    return true;
  if (type == AICC_ELEMENT_TYPE_F4E2M1FN)
    lo = 0, hi = 15;
  if (isInt || type == AICC_ELEMENT_TYPE_F4E2M1FN) {
    for (size_t i = 0; i < array->data.size(); ++i) {
      int value = isSigned ? int(int8_t(array->data[i])) : int(array->data[i]);
      if (value < lo || value > hi) {
        *error = "element " + std::to_string(i) + " is " +
                 std::to_string(value) + ", outside the range [" +
                 std::to_string(lo) + ", " + std::to_string(hi) + "] of " +
                 elementTypeName(type) + (isInt ? "" : " bit patterns");
        return false;
      }
    }
  }
  array->elementType = type;
  return true;
}

namespace {

/// What the header says: the element type, the shape, where the data starts
/// and how many bytes of it the array needs.
struct Header {
  aicc_element_type_t type = AICC_ELEMENT_TYPE_UNKNOWN;
  std::vector<int64_t> shape;
  size_t dataStart = 0;
  uint64_t dataBytes = 0;
};

/// Decodes the fixed prefix (magic, version, header length) from the first
/// `size` bytes and sets `*dataStart` to the offset of the array data.
bool parsePrefix(const uint8_t *bytes, size_t size, size_t *headerStart,
                 size_t *dataStart, std::string *error) {
  if (size < 10 || std::memcmp(bytes, kMagic, sizeof(kMagic)) != 0) {
    *error = "not a .npy file (bad magic)";
    return false;
  }
  uint8_t major = bytes[6], minor = bytes[7];
  size_t headerLength;
  if (major == 1) {
    headerLength = bytes[8] | (size_t(bytes[9]) << 8);
    *headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) {
      *error = "truncated .npy header";
      return false;
    }
    headerLength = bytes[8] | (size_t(bytes[9]) << 8) |
                   (size_t(bytes[10]) << 16) | (size_t(bytes[11]) << 24);
    *headerStart = 12;
  } else {
    *error = "unsupported .npy format version " + std::to_string(major) + "." +
             std::to_string(minor);
    return false;
  }
  *dataStart = *headerStart + headerLength;
  return true;
}

/// Parses the prefix and the header dict; `size` bytes are available.
bool parseHeader(const uint8_t *bytes, size_t size, Header *out,
                 std::string *error) {
  size_t headerStart, dataStart;
  if (!parsePrefix(bytes, size, &headerStart, &dataStart, error))
    return false;
  if (dataStart > size) {
    *error = "truncated .npy header (needs " +
             std::to_string(dataStart - headerStart) + " bytes)";
    return false;
  }
  std::string header(reinterpret_cast<const char *>(bytes + headerStart),
                     dataStart - headerStart);
  uint8_t major = bytes[6];
  if (major < 3) {
    for (unsigned char c : header) {
      if (c >= 0x80) {
        *error = "non-ASCII .npy header in a version " + std::to_string(major) +
                 " file";
        return false;
      }
    }
  }

  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  HeaderParser parser(header);
  if (!parser.parse(&descr, &fortranOrder, &shape, error))
    return false;
  aicc_element_type_t type;
  if (!decodeDescr(descr, &type, error))
    return false;
  if (fortranOrder) {
    *error = "Fortran-order arrays are not supported; save "
             "np.ascontiguousarray(a) instead";
    return false;
  }
  uint64_t bytesNeeded = elementSize(type);
  for (int64_t dim : shape) {
    if (__builtin_mul_overflow(bytesNeeded, static_cast<uint64_t>(dim),
                               &bytesNeeded)) {
      *error = "the array's byte size overflows";
      return false;
    }
  }
  out->type = type;
  out->shape = std::move(shape);
  out->dataStart = dataStart;
  out->dataBytes = bytesNeeded;
  return true;
}

std::string truncatedData(uint64_t needed, uint64_t available) {
  return "truncated data: the array needs " + std::to_string(needed) +
         " bytes, the file has " + std::to_string(available);
}

/// Reads exactly `size` bytes at the current offset; false on a read error
/// or an early end of file (which sets errno to 0).
bool readExact(int fd, uint8_t *buffer, size_t size) {
  while (size > 0) {
    ssize_t n = ::read(fd, buffer, std::min<size_t>(size, size_t(1) << 30));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == 0)
        errno = 0;
      return false;
    }
    buffer += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

/// Closes a file descriptor on every return path.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0)
      ::close(fd);
  }
};

} // namespace

bool npy::parse(const uint8_t *bytes, size_t size, Array *out,
                std::string *error) {
  Header header;
  if (!parseHeader(bytes, size, &header, error))
    return false;
  size_t available = size - header.dataStart;
  if (header.dataBytes > available) {
    *error = truncatedData(header.dataBytes, available);
    return false;
  }
  out->elementType = header.type;
  out->shape = std::move(header.shape);
  // Trailing bytes are ignored, as numpy.load does.
  const uint8_t *data = bytes + header.dataStart;
  out->data.assign(data, data + header.dataBytes);
  return true;
}

bool npy::readFile(const std::string &path, Array *out, std::string *error,
                   uint64_t maxDataBytes) {
  // O_NONBLOCK: opening a FIFO without a writer must not hang; the file
  // type is checked right after, and regular files ignore the flag.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    *error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  FdCloser closer{fd};
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    *error = path + ": cannot stat: " + std::strerror(errno);
    return false;
  }
  if (S_ISDIR(info.st_mode)) {
    *error = path + ": is a directory, not a .npy file";
    return false;
  }
  if (!S_ISREG(info.st_mode)) {
    *error = path + ": not a regular file (a device, FIFO or socket); pass "
                    "a .npy file";
    return false;
  }
  // Only as many bytes as the file has and the header declares are read, and
  // the sizes are checked before anything is allocated for them.
  uint64_t fileSize = static_cast<uint64_t>(info.st_size);
  auto readError = [&](const char *what) {
    *error = path + ": " +
             (errno ? std::string("read error: ") + std::strerror(errno)
                    : std::string("the file shrank while being read (") +
                          what + ")");
    return false;
  };
  std::vector<uint8_t> bytes(std::min<uint64_t>(fileSize, 12));
  if (!readExact(fd, bytes.data(), bytes.size()))
    return readError("prefix");
  size_t headerStart, dataStart;
  if (!parsePrefix(bytes.data(), bytes.size(), &headerStart, &dataStart,
                   error)) {
    *error = path + ": " + *error;
    return false;
  }
  if (dataStart > fileSize) {
    *error = path + ": truncated .npy header (needs " +
             std::to_string(dataStart - headerStart) + " bytes)";
    return false;
  }
  size_t prefix = bytes.size();
  bytes.resize(dataStart);
  if (dataStart > prefix &&
      !readExact(fd, bytes.data() + prefix, dataStart - prefix))
    return readError("header");
  Header header;
  if (!parseHeader(bytes.data(), bytes.size(), &header, error)) {
    *error = path + ": " + *error;
    return false;
  }
  uint64_t available = fileSize - dataStart;
  if (header.dataBytes > available) {
    *error = path + ": " + truncatedData(header.dataBytes, available);
    return false;
  }
  if (header.dataBytes > maxDataBytes) {
    std::string shape;
    for (int64_t dim : header.shape)
      shape += (shape.empty() ? "" : ",") + std::to_string(dim);
    *error = path + ": the array (shape [" + shape + "]) holds " +
             std::to_string(header.dataBytes) + " bytes, more than the " +
             std::to_string(maxDataBytes) + " bytes the tensor takes";
    return false;
  }
  out->data.resize(header.dataBytes);
  if (!readExact(fd, out->data.data(), out->data.size())) {
    out->data.clear();
    return readError("data");
  }
  // Trailing bytes are ignored, as numpy.load does.
  out->elementType = header.type;
  out->shape = std::move(header.shape);
  return true;
}

std::vector<uint8_t> npy::serialize(const Array &array, std::string *error) {
  const char *descr = dtypeDescr(array.elementType);
  if (!*descr) {
    *error = "the element type has no .npy dtype (numpy has no bfloat16)";
    return {};
  }
  uint64_t expected = elementSize(array.elementType) * array.elementCount();
  if (expected != array.data.size()) {
    *error = "array data size does not match its shape";
    return {};
  }
  std::string header = "{'descr': '" + std::string(descr) +
                       "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < array.shape.size(); ++i)
    header += std::to_string(array.shape[i]) + ", ";
  if (array.shape.size() > 1)
    header.erase(header.size() - 2);
  else if (array.shape.size() == 1)
    header.erase(header.size() - 1); // "(3,)" like Python.
  header += "), }";
  // numpy pads with spaces and a newline so that the data starts at a
  // multiple of 64 bytes; version 2.0 only when the length needs 4 bytes.
  auto padded = [&](size_t prefix) {
    size_t total = prefix + header.size() + 1;
    return header.size() + 1 + (64 - total % 64) % 64;
  };
  size_t prefix = padded(10) > 65535 ? 12 : 10;
  header.append(padded(prefix) - header.size() - 1, ' ');
  header += '\n';

  std::vector<uint8_t> bytes(kMagic, kMagic + sizeof(kMagic));
  bytes.push_back(prefix == 10 ? 1 : 2);
  bytes.push_back(0);
  size_t length = header.size();
  bytes.push_back(static_cast<uint8_t>(length));
  bytes.push_back(static_cast<uint8_t>(length >> 8));
  if (prefix == 12) {
    bytes.push_back(static_cast<uint8_t>(length >> 16));
    bytes.push_back(static_cast<uint8_t>(length >> 24));
  }
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), array.data.begin(), array.data.end());
  return bytes;
}

bool npy::writeFile(const std::string &path, const Array &array,
                    std::string *error) {
  std::vector<uint8_t> bytes = serialize(array, error);
  if (bytes.empty()) {
    *error = path + ": " + *error;
    return false;
  }
  FILE *file = std::fopen(path.c_str(), "wb");
  if (!file) {
    *error = path + ": cannot open for writing: " + std::strerror(errno);
    return false;
  }
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  ok = std::fclose(file) == 0 && ok;
  if (!ok)
    *error = path + ": write error";
  return ok;
}
