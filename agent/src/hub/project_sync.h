// Harbor projects from namespaces (Alauda's Generator documentation): for every usable connection
// with a harbor-robot-gen/projectFieldsPath, each namespace's value names a project that is created
// once if absent and never deleted. A value that is not a valid project name is a Warning event on
// the namespace, not a crash.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "connection_registry.h"
#include "harborrobot/hub/project_memo.h"
#include "harborrobot/kube/client.h"
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/kube/informer.h"
#include "harborrobot/kube/work_queue.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/plugin/host.h"

namespace harborrobot::agent::hub {

class ProjectSync {
public:
  ProjectSync(kube::Client& client, ConnectionRegistry& connections, const plugin::Host& plugins,
              const Logger& logger, kube::EventRecorder& events, std::function<bool()> isLeader,
              std::function<void()> onProjectCreated);
  ~ProjectSync();

  void start();
  void stop();
  bool waitForSync(std::chrono::milliseconds timeout);
  // Every namespace again (a connection changed, or this replica became leader).
  void enqueueAll();

private:
  void work();
  [[nodiscard]] Status sync(const std::string& ns);

  kube::Client& client_;
  ConnectionRegistry& connections_;
  const plugin::Host& plugins_;
  const Logger& logger_;
  kube::EventRecorder& events_;
  std::function<bool()> isLeader_;
  std::function<void()> onProjectCreated_;
  kube::WorkQueue queue_;
  std::unique_ptr<kube::Informer> namespaces_;
  std::thread worker_;
  ::harborrobot::hub::ProjectMemo memo_;
};

} // namespace harborrobot::agent::hub
