// A bounds-checked reader of the protobuf wire format: varints, fixed-width
// values and length-delimited fields, enough to decode what kubectl sends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace harborrobot::kubesim {

enum class WireType : std::uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kFixed32 = 5
};

struct WireField {
  int number = 0;
  WireType type = WireType::kVarint;
  std::uint64_t varint = 0; // kVarint, kFixed64, kFixed32
  std::string_view bytes{}; // kLengthDelimited
};

class WireReader {
public:
  explicit WireReader(std::string_view data) : data_(data) {}
  bool done() const { return position_ >= data_.size(); }
  // The next field, or nullopt with error() set on malformed input.
  std::optional<WireField> next();
  const std::string& error() const { return error_; }

private:
  std::optional<std::uint64_t> readVarint();
  std::string_view data_;
  std::size_t position_ = 0;
  std::string error_;
};

} // namespace harborrobot::kubesim
