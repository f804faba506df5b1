// The hub API's whole-request deadlines, enforced: a thread that shuts down a
// connection's socket when its deadline passes (the blocked read in the
// connection's own thread then fails, and Poco ends the connection).
//
// Each connection is tracked by a duplicate of its socket descriptor, held
// until the connection's Tracking ends: Poco may close its own descriptor
// first, and that number may at once belong to a new connection, but the
// duplicate's number cannot be reused while it is open, so a late deadline
// never shuts down someone else's socket. A request handler runs on its
// connection's thread, so it finds its connection by thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
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

  // One connection, on the thread that serves it, from its start to its end.
  class Tracking {
  public:
    Tracking(ConnectionDeadlines& deadlines, int socket, std::chrono::seconds within);
    ~Tracking();
    Tracking(const Tracking&) = delete;
    Tracking& operator=(const Tracking&) = delete;

  private:
    ConnectionDeadlines& deadlines_;
    int duplicate_;
  };

  // The deadline of the connection served by the calling thread, if any.
  void armCurrent(std::chrono::seconds within);
  void disarmCurrent();

private:
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  reconcile::DeadlineBook book_;            // by duplicate descriptor
  std::map<std::thread::id, int> byThread_; // serving thread -> duplicate
  bool stopping_ = false;
  std::thread thread_; // last: started once the rest exists
};

} // namespace harborrobot::agent::hub
