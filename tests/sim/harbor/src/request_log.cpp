#include "request_log.h"

namespace harborrobot::harborsim {

void RequestLog::append(LoggedRequest entry) {
  std::lock_guard lock(mutex_);
  entries_.push_back(std::move(entry));
  if (entries_.size() > capacity_) {
    entries_.pop_front();
    ++dropped_;
  }
}

void RequestLog::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  dropped_ = 0;
}

nlohmann::json RequestLog::list(const std::string& pathPrefix) const {
  std::lock_guard lock(mutex_);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& entry : entries_) {
    if (!entry.path.starts_with(pathPrefix))
      continue;
    items.push_back({{"method", entry.method},
                     {"path", entry.path},
                     {"query", entry.query},
                     {"status", entry.status},
                     {"latencyMs", static_cast<double>(entry.latency.count()) / 1000.0},
                     {"caller", entry.caller},
                     {"fault", entry.fault}});
  }
  return {{"items", items}, {"dropped", dropped_}};
}

} // namespace harborrobot::harborsim
