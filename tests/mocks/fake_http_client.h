// A scripted HTTP client: answers requests from a queue of responses (or
// errors) and keeps every request it was sent, for tests of the core's HTTP
// callers without a server.
#pragma once

#include <deque>
#include <vector>

#include "harborrobot/http/client.h"

namespace harborrobot::testing {

class FakeHttpClient final : public http::Client {
public:
  Result<http::Response> send(const http::Request& request) override {
    sent.push_back(request);
    if (answers.empty()) {
      return makeError(ErrorCode::kUnavailable, "no answer scripted");
    }
    auto answer = std::move(answers.front());
    answers.pop_front();
    return answer;
  }

  void answer(int status, std::string body, http::Headers headers = {}) {
    answers.emplace_back(http::Response{status, std::move(headers), std::move(body)});
  }
  void fail(ErrorCode code, std::string message) {
    answers.emplace_back(makeError(code, std::move(message)));
  }

  std::deque<Result<http::Response>> answers;
  std::vector<http::Request> sent;
};

} // namespace harborrobot::testing
