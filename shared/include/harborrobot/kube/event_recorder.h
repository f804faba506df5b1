// Kubernetes Events (core/v1) with CamelCase reasons, aggregated like client-go's
// recorder: the same (object, type, reason, message) within the window bumps the
// count of the existing Event instead of creating another. Messages must never
// carry secrets; callers pass text built from names and states only.
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
  // must never fail the caller's reconcile.
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

  Client& client_;
  std::string component_;
  std::string host_;
  std::chrono::minutes window_;
  WallClock clock_;
  std::mutex mutex_;
  std::map<Key, Seen> seen_;
  std::uint64_t sequence_ = 0;
};

} // namespace harborrobot::kube
