// SecretString: a value that must never reach a log, an event, a status or an
// error. It has no stream operator, no implicit conversion to a string, and the
// logger's field type refuses it at compile time; the only way to the bytes is
// reveal(), which is easy to grep for in review.
#pragma once

#include <string>
#include <string_view>

namespace harborrobot {

class SecretString {
public:
  SecretString() = default;
  explicit SecretString(std::string value) : value_(std::move(value)) {}
  ~SecretString();

  SecretString(const SecretString&) = default;
  SecretString& operator=(const SecretString&) = default;
  SecretString(SecretString&&) noexcept = default;
  SecretString& operator=(SecretString&&) noexcept = default;

  // The one door to the secret bytes: for building a credential or an HTTP
  // Authorization header, never for printing.
  std::string_view reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  bool operator==(const SecretString& other) const = default;

private:
  std::string value_;
};

} // namespace harborrobot
