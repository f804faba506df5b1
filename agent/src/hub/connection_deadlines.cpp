#include "connection_deadlines.h"

#include <sys/socket.h>

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

void ConnectionDeadlines::arm(int socket, std::chrono::seconds within) {
  {
    std::lock_guard lock(mutex_);
    book_.arm(socket, std::chrono::steady_clock::now() + within);
  }
  changed_.notify_all();
}

void ConnectionDeadlines::disarm(int socket) {
  std::lock_guard lock(mutex_);
  book_.disarm(socket);
}

void ConnectionDeadlines::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    for (const int socket : book_.takeExpired(std::chrono::steady_clock::now())) {
      // Under the lock: the connection cannot forget this descriptor (and
      // close it) in between.
      ::shutdown(socket, SHUT_RDWR);
    }
    if (const auto soonest = book_.soonest()) {
      changed_.wait_until(lock, *soonest);
    } else {
      changed_.wait(lock);
    }
  }
}

} // namespace harborrobot::agent::hub
