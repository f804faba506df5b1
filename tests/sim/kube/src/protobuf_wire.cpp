#include "protobuf_wire.h"

#include <cstring>

#include <fmt/format.h>

namespace harborrobot::kubesim {

std::optional<std::uint64_t> WireReader::readVarint() {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (position_ >= data_.size()) {
      error_ = fmt::format("truncated varint at byte {}", position_);
      return std::nullopt;
    }
    const auto byte = static_cast<std::uint8_t>(data_[position_++]);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0)
      return value;
  }
  error_ = fmt::format("varint longer than 10 bytes at byte {}", position_);
  return std::nullopt;
}

std::optional<WireField> WireReader::next() {
  const std::size_t start = position_;
  const auto key = readVarint();
  if (!key)
    return std::nullopt;
  WireField field;
  const std::uint64_t number = *key >> 3;
  if (number == 0 || number > 536870911) {
    error_ = fmt::format("invalid field number {} at byte {}", number, start);
    return std::nullopt;
  }
  field.number = static_cast<int>(number);
  switch (*key & 7) {
  case 0: {
    field.type = WireType::kVarint;
    const auto value = readVarint();
    if (!value)
      return std::nullopt;
    field.varint = *value;
    return field;
  }
  case 1:
  case 5: {
    const std::size_t width = (*key & 7) == 1 ? 8 : 4;
    field.type = width == 8 ? WireType::kFixed64 : WireType::kFixed32;
    if (data_.size() - position_ < width) {
      error_ = fmt::format("truncated fixed-width field {} at byte {}", number, start);
      return std::nullopt;
    }
    for (std::size_t i = 0; i < width; ++i)
      field.varint |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(data_[position_ + i]))
                      << (8 * i);
    position_ += width;
    return field;
  }
  case 2: {
    field.type = WireType::kLengthDelimited;
    const auto length = readVarint();
    if (!length)
      return std::nullopt;
    if (*length > data_.size() - position_) {
      error_ = fmt::format("field {} at byte {} claims {} bytes, only {} remain", number, start,
                           *length, data_.size() - position_);
      return std::nullopt;
    }
    field.bytes = data_.substr(position_, *length);
    position_ += *length;
    return field;
  }
  default:
    error_ =
        fmt::format("unsupported wire type {} for field {} at byte {}", *key & 7, number, start);
    return std::nullopt;
  }
}

void WireWriter::rawVarint(std::uint64_t value) {
  while (value >= 0x80) {
    out_ += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out_ += static_cast<char>(value);
}

void WireWriter::varint(int number, std::uint64_t value) {
  rawVarint(static_cast<std::uint64_t>(number) << 3);
  rawVarint(value);
}

void WireWriter::fixed64(int number, std::uint64_t value) {
  rawVarint((static_cast<std::uint64_t>(number) << 3) | 1);
  for (int i = 0; i < 8; ++i)
    out_ += static_cast<char>((value >> (8 * i)) & 0xff);
}

void WireWriter::doubleValue(int number, double value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(bits));
  fixed64(number, bits);
}

void WireWriter::bytes(int number, std::string_view value) {
  rawVarint((static_cast<std::uint64_t>(number) << 3) | 2);
  rawVarint(value.size());
  out_.append(value);
}

} // namespace harborrobot::kubesim
