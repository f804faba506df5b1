// The hub API's whole-request deadlines, enforced: a thread that shuts down a
// connection's socket when its deadline passes (the blocked read in the
// connection's own thread then fails, and Poco ends the connection). Keys are
// socket descriptors; a connection forgets its key before its socket closes,
// so a reused descriptor is never shut down by mistake.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "harborrobot/reconcile/deadline_book.h"

namespace harborrobot::agent::hub {

class ConnectionDeadlines {
public:
  ConnectionDeadlines();
  ~ConnectionDeadlines();
  ConnectionDeadlines(const ConnectionDeadlines&) = delete;
  ConnectionDeadlines& operator=(const ConnectionDeadlines&) = delete;

  void arm(int socket, std::chrono::seconds within);
  void disarm(int socket);

private:
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  reconcile::DeadlineBook book_;
  bool stopping_ = false;
  std::thread thread_; // last: started once the rest exists
};

} // namespace harborrobot::agent::hub
