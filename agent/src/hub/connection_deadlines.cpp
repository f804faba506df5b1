#include "connection_deadlines.h"

#include <sys/socket.h>
#include <unistd.h>

namespace harborrobot::agent::hub {

ConnectionDeadlines::ConnectionDeadlines() : thread_([this] { run(); }) {}

ConnectionDeadlines::~ConnectionDeadlines() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

ConnectionDeadlines::Tracking::Tracking(ConnectionDeadlines& deadlines, int socket,
                                        std::chrono::seconds within)
    : deadlines_(deadlines), duplicate_(::dup(socket)) {
  if (duplicate_ < 0) {
    return; // out of descriptors: this connection keeps its per-read timeout only
  }
  {
    std::lock_guard lock(deadlines_.mutex_);
    deadlines_.byThread_[std::this_thread::get_id()] = duplicate_;
    deadlines_.book_.arm(duplicate_, std::chrono::steady_clock::now() + within);
  }
  deadlines_.changed_.notify_all();
}

ConnectionDeadlines::Tracking::~Tracking() {
  if (duplicate_ < 0) {
    return;
  }
  {
    std::lock_guard lock(deadlines_.mutex_);
    deadlines_.book_.disarm(duplicate_);
    deadlines_.byThread_.erase(std::this_thread::get_id());
  }
  ::close(duplicate_); // its number is free for reuse only now, out of the book
}

void ConnectionDeadlines::armCurrent(std::chrono::seconds within) {
  {
    std::lock_guard lock(mutex_);
    const auto found = byThread_.find(std::this_thread::get_id());
    if (found == byThread_.end()) {
      return;
    }
    book_.arm(found->second, std::chrono::steady_clock::now() + within);
  }
  changed_.notify_all();
}

void ConnectionDeadlines::disarmCurrent() {
  std::lock_guard lock(mutex_);
  if (const auto found = byThread_.find(std::this_thread::get_id()); found != byThread_.end()) {
    book_.disarm(found->second);
  }
}

void ConnectionDeadlines::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    for (const int duplicate : book_.takeExpired(std::chrono::steady_clock::now())) {
      // Shuts the socket itself down (every descriptor of it): the serving
      // thread's read returns at once. The duplicate stays open until its
      // Tracking ends, so this number is still this connection's.
      ::shutdown(duplicate, SHUT_RDWR);
    }
    if (const auto soonest = book_.soonest()) {
      changed_.wait_until(lock, *soonest);
    } else {
      changed_.wait(lock);
    }
  }
}

} // namespace harborrobot::agent::hub
