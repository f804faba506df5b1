// WorkQueue: due times per key, a processing set, and per-key failure counts.
#include "harborrobot/kube/work_queue.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace harborrobot::kube {

WorkQueue::WorkQueue(BackoffPolicy policy, Clock clock, Random random)
    : policy_(policy), clock_(std::move(clock)), random_(std::move(random)) {
  if (!clock_) {
    clock_ = [] { return std::chrono::steady_clock::now(); };
  }
  if (!random_) {
    random_ = [engine = std::make_shared<std::mt19937_64>(std::random_device{}())]() {
      return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
    };
  }
}

void WorkQueue::scheduleLocked(const std::string& key, std::chrono::steady_clock::time_point due) {
  if (processing_.contains(key)) {
    auto [it, inserted] = dirtyWhileProcessing_.emplace(key, due);
    if (!inserted) {
      it->second = std::min(it->second, due);
    }
    return;
  }
  auto [it, inserted] = due_.emplace(key, due);
  if (!inserted) {
    it->second = std::min(it->second, due);
  }
  changed_.notify_one();
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (!shutDown_) {
    scheduleLocked(key, clock_());
  }
}

void WorkQueue::addAfter(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  if (!shutDown_) {
    scheduleLocked(key, clock_() + delay);
  }
}

std::chrono::milliseconds WorkQueue::addRateLimited(const std::string& key) {
  std::lock_guard lock(mutex_);
  const int failures = ++failures_[key];
  const double base =
      static_cast<double>(policy_.initial.count()) * std::pow(2.0, std::min(failures - 1, 30));
  const double capped = std::min(base, static_cast<double>(policy_.maximum.count()));
  // Jitter spreads retries of many keys that failed together (a Harbor outage).
  const double factor = 1.0 + policy_.jitter * (2.0 * random_() - 1.0);
  const auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(capped * factor));
  if (!shutDown_) {
    scheduleLocked(key, clock_() + delay);
  }
  return delay;
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

int WorkQueue::failures(const std::string& key) const {
  std::lock_guard lock(mutex_);
  const auto found = failures_.find(key);
  return found == failures_.end() ? 0 : found->second;
}

std::optional<std::string> WorkQueue::takeDueLocked(std::chrono::steady_clock::time_point now) {
  auto earliest = due_.end();
  for (auto it = due_.begin(); it != due_.end(); ++it) {
    if (it->second <= now && (earliest == due_.end() || it->second < earliest->second)) {
      earliest = it;
    }
  }
  if (earliest == due_.end()) {
    return std::nullopt;
  }
  std::string key = earliest->first;
  due_.erase(earliest);
  processing_.insert(key);
  return key;
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mutex_);
  while (!shutDown_) {
    const auto now = clock_();
    if (auto key = takeDueLocked(now)) {
      return key;
    }
    if (due_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto next = std::min_element(due_.begin(), due_.end(), [](const auto& a, const auto& b) {
                  return a.second < b.second;
                })->second;
    // The injected clock may not be the steady clock; wait by duration.
    changed_.wait_for(lock, next - now);
  }
  return std::nullopt;
}

std::optional<std::string> WorkQueue::tryGet() {
  std::lock_guard lock(mutex_);
  if (shutDown_) {
    return std::nullopt;
  }
  return takeDueLocked(clock_());
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mutex_);
  processing_.erase(key);
  if (const auto dirty = dirtyWhileProcessing_.find(key); dirty != dirtyWhileProcessing_.end()) {
    const auto due = dirty->second;
    dirtyWhileProcessing_.erase(dirty);
    scheduleLocked(key, due);
  }
}

void WorkQueue::shutDown() {
  std::lock_guard lock(mutex_);
  shutDown_ = true;
  changed_.notify_all();
}

std::size_t WorkQueue::size() const {
  std::lock_guard lock(mutex_);
  return due_.size() + dirtyWhileProcessing_.size();
}

std::optional<std::chrono::steady_clock::time_point> WorkQueue::nextDue() const {
  std::lock_guard lock(mutex_);
  std::optional<std::chrono::steady_clock::time_point> earliest;
  for (const auto& [key, due] : due_) {
    if (!earliest || due < *earliest) {
      earliest = due;
    }
  }
  return earliest;
}

} // namespace harborrobot::kube
