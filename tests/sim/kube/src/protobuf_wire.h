// A bounds-checked reader of the protobuf wire format: varints, fixed-width
// values and length-delimited fields, enough to decode what kubectl sends, and
// the matching writer.
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

// Appends protobuf wire format to a buffer: the encoder for the few documents
// the simulator answers in protobuf (the OpenAPI v2 spec kubectl 1.27/1.28 fetch).
class WireWriter {
public:
  void varint(int number, std::uint64_t value);
  void boolean(int number, bool value) { varint(number, value ? 1 : 0); }
  void fixed64(int number, std::uint64_t value);
  void doubleValue(int number, double value);
  void bytes(int number, std::string_view value);
  // proto3 leaves scalar defaults out: empty strings, zero, false.
  void stringIfSet(int number, std::string_view value) {
    if (!value.empty())
      bytes(number, value);
  }
  const std::string& data() const { return out_; }

private:
  void rawVarint(std::uint64_t value);
  std::string out_;
};

} // namespace harborrobot::kubesim
