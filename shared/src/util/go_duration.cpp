// Go's time.ParseDuration and Duration.String, reimplemented from their
// documented behaviour: unsigned accumulation with overflow checks against 2^63,
// fractions scaled through double (as Go does for nanosecond accuracy in hours).
#include "harborrobot/util/go_duration.h"

#include <array>
#include <cstdint>

#include <fmt/format.h>

namespace harborrobot {

namespace {

constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;

// Go quotes the input in its messages, escaping quotes and backslashes and writing
// every byte of a non-ASCII or control character as \xNN.
std::string goQuote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x80) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      out += c;
    }
  }
  return out + "\"";
}

Error invalid(std::string_view original) {
  return Error(ErrorCode::kInvalidArgument,
               fmt::format("time: invalid duration {}", goQuote(original)));
}

std::uint64_t unitNanoseconds(std::string_view unit) {
  if (unit == "ns") {
    return 1;
  }
  if (unit == "us" || unit == "\xc2\xb5s" /* µ U+00B5 */ || unit == "\xce\xbcs" /* μ U+03BC */) {
    return 1'000;
  }
  if (unit == "ms") {
    return 1'000'000;
  }
  if (unit == "s") {
    return 1'000'000'000;
  }
  if (unit == "m") {
    return 60'000'000'000;
  }
  if (unit == "h") {
    return 3'600'000'000'000;
  }
  return 0;
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

} // namespace

Result<GoDuration> parseGoDuration(std::string_view text) {
  const std::string_view original = text;
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") {
    return GoDuration(0);
  }
  if (text.empty()) {
    return makeError(invalid(original));
  }
  std::uint64_t total = 0;
  while (!text.empty()) {
    if (!(text.front() == '.' || isDigit(text.front()))) {
      return makeError(invalid(original));
    }
    // The integer part.
    std::uint64_t whole = 0;
    std::size_t consumed = 0;
    while (consumed < text.size() && isDigit(text[consumed])) {
      if (whole > kLimit / 10) {
        return makeError(invalid(original));
      }
      whole = whole * 10 + static_cast<std::uint64_t>(text[consumed] - '0');
      if (whole > kLimit) {
        return makeError(invalid(original));
      }
      ++consumed;
    }
    const bool hadWhole = consumed > 0;
    text.remove_prefix(consumed);
    // The fraction: digits past what fits are dropped, not an error.
    std::uint64_t fraction = 0;
    double scale = 1.0;
    bool hadFraction = false;
    if (!text.empty() && text.front() == '.') {
      text.remove_prefix(1);
      bool overflowed = false;
      std::size_t digits = 0;
      while (digits < text.size() && isDigit(text[digits])) {
        if (!overflowed) {
          if (fraction > (kLimit - 1) / 10) {
            overflowed = true;
          } else {
            const std::uint64_t next =
                fraction * 10 + static_cast<std::uint64_t>(text[digits] - '0');
            if (next > kLimit) {
              overflowed = true;
            } else {
              fraction = next;
              scale *= 10;
            }
          }
        }
        ++digits;
      }
      hadFraction = digits > 0;
      text.remove_prefix(digits);
    }
    if (!hadWhole && !hadFraction) {
      return makeError(invalid(original));
    }
    std::size_t unitLength = 0;
    while (unitLength < text.size() && text[unitLength] != '.' && !isDigit(text[unitLength])) {
      ++unitLength;
    }
    if (unitLength == 0) {
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("time: missing unit in duration {}", goQuote(original)));
    }
    const std::string_view unitText = text.substr(0, unitLength);
    text.remove_prefix(unitLength);
    const std::uint64_t unit = unitNanoseconds(unitText);
    if (unit == 0) {
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("time: unknown unit {} in duration {}", goQuote(unitText),
                                   goQuote(original)));
    }
    if (whole > kLimit / unit) {
      return makeError(invalid(original));
    }
    whole *= unit;
    if (fraction > 0) {
      whole += static_cast<std::uint64_t>(static_cast<double>(fraction) *
                                          (static_cast<double>(unit) / scale));
      if (whole > kLimit) {
        return makeError(invalid(original));
      }
    }
    total += whole;
    if (total > kLimit) {
      return makeError(invalid(original));
    }
  }
  if (negative) {
    // -2^63 is representable; wrap-around through unsigned negation gives it exactly.
    return GoDuration(static_cast<std::int64_t>(~total + 1));
  }
  if (total > kLimit - 1) {
    return makeError(invalid(original));
  }
  return GoDuration(static_cast<std::int64_t>(total));
}

namespace {

// Writes v's last `precision` digits as ".ddd" without trailing zeros (nothing
// when they are all zero) in front of `tail`; returns v without those digits.
std::uint64_t prependFraction(std::string& tail, std::uint64_t value, int precision) {
  std::string digits;
  bool printing = false;
  for (int i = 0; i < precision; ++i) {
    const auto digit = static_cast<char>('0' + value % 10);
    printing = printing || digit != '0';
    if (printing) {
      digits.insert(digits.begin(), digit);
    }
    value /= 10;
  }
  if (printing) {
    tail.insert(0, "." + digits);
  }
  return value;
}

} // namespace

std::string formatGoDuration(GoDuration duration) {
  const std::int64_t count = duration.count();
  const bool negative = count < 0;
  // Negation through unsigned arithmetic is exact for -2^63 too.
  std::uint64_t value =
      negative ? ~static_cast<std::uint64_t>(count) + 1 : static_cast<std::uint64_t>(count);
  std::string out;
  if (value < 1'000'000'000) {
    if (value == 0) {
      return "0s";
    }
    int precision = 0;
    std::string unit;
    if (value < 1'000) {
      unit = "ns";
    } else if (value < 1'000'000) {
      precision = 3;
      unit = "\xc2\xb5s"; // µs, U+00B5, as Go prints it
    } else {
      precision = 6;
      unit = "ms";
    }
    out = unit;
    value = prependFraction(out, value, precision);
    out.insert(0, std::to_string(value));
  } else {
    out = "s";
    value = prependFraction(out, value, 9);
    out.insert(0, std::to_string(value % 60));
    value /= 60;
    if (value > 0) {
      out.insert(0, std::to_string(value % 60) + "m");
      value /= 60;
      if (value > 0) {
        // Go stops at hours: days differ in length.
        out.insert(0, std::to_string(value) + "h");
      }
    }
  }
  return negative ? "-" + out : out;
}

} // namespace harborrobot
