// A scripted dns::Resolver: answers from a table, counts lookups, and can fail a
// name on demand. Shared by every test that needs DNS without the network.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "harborrobot/dns/resolver.h"

namespace harborrobot::testing {

class FakeResolver final : public dns::Resolver {
public:
  void set(const std::string& host, std::vector<std::string> addresses) {
    answers_[host] = std::move(addresses);
    failures_.erase(host);
  }
  void fail(const std::string& host, ErrorCode code) { failures_[host] = code; }

  Result<std::vector<std::string>> resolve(std::string_view host) override {
    ++lookups_;
    const std::string key(host);
    if (const auto failure = failures_.find(key); failure != failures_.end()) {
      return makeError(failure->second, "lookup of " + key + " failed");
    }
    const auto answer = answers_.find(key);
    if (answer == answers_.end()) {
      return makeError(ErrorCode::kNotFound, "no such host " + key);
    }
    return answer->second;
  }

  int lookups() const { return lookups_; }

private:
  std::map<std::string, std::vector<std::string>> answers_;
  std::map<std::string, ErrorCode> failures_;
  int lookups_ = 0;
};

} // namespace harborrobot::testing
