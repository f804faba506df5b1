// Kubernetes Events (core/v1) with CamelCase reasons, aggregated like client-go's
// recorder: the same (object, type, reason, message) within the window bumps the
// count of the existing Event instead of creating another. Throttled like it too:
// each object gets a burst of 25 Events, then one per 5 minutes (client-go's
// EventSourceObjectSpamFilter, tools/record/events_cache.go), so a binding whose
// ten thousand robots are created at once costs the API server 25 Events, not
// ten thousand (the log keeps every one). Messages must never carry secrets;
// callers pass text built from names and states only.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "harborrobot/kube/client.h"

namespace harborrobot::kube {

struct ObjectReference {
  std::string apiVersion{};
  std::string kind{};
  std::string ns{};
  std::string name{};
  std::string uid{};
  std::string resourceVersion{};

  static ObjectReference of(const Json& object);
};

enum class EventType { kNormal, kWarning };

class EventRecorder {
public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  EventRecorder(Client& client, std::string component, std::string host = {},
                std::chrono::minutes aggregationWindow = std::chrono::minutes(10),
                WallClock clock = {});

  // Best effort: an Event that cannot be written is reported in the result but
  // must never fail the caller's reconcile. One over the object's budget is
  // dropped (success).
  Status record(const ObjectReference& object, EventType type, std::string_view reason,
                std::string_view message);

private:
  struct Seen {
    std::string eventName;
    std::string eventNamespace;
    int count = 0;
    std::chrono::system_clock::time_point last;
  };
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  // An object's Event budget: a token bucket.
  struct Budget {
    double tokens = 0;
    std::chrono::system_clock::time_point refilled{};
  };
  // Takes one token of the object's budget; false when there is none.
  bool spend(const std::string& object, std::chrono::system_clock::time_point now);

  Client& client_;
  std::string component_;
  std::string host_;
  std::chrono::minutes window_;
  WallClock clock_;
  std::mutex mutex_;
  std::map<Key, Seen> seen_;
  std::map<std::string, Budget> budgets_;
  std::uint64_t sequence_ = 0;
};

} // namespace harborrobot::kube
