// The hub's view of every HarborRobotCredential: one record per binding and
// target namespace, cached by a watch and indexed by binding, and the one place
// that writes them.
//
// The records are the hub's memory of what each namespace holds (the active
// generation decides which robots may be deleted), so they survive a restart or
// a new leader, and the binding itself stays small.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/kube/client.h"
#include "harborrobot/kube/informer.h"
#include "harborrobot/observability/logger.h"
#include "harborrobot/reconcile/binding_status.h"
#include "harborrobot/reconcile/credential_record.h"
#include "harborrobot/util/group_commit.h"

namespace harborrobot::hub {

// One LIST: the records of binding (`name`, `uid`) across every namespace,
// sorted by namespace (what `kubectl harborrobot status`, `rotate` and `doctor`
// read).
[[nodiscard]] Result<std::vector<reconcile::CredentialRecord>>
listCredentialRecords(kube::Client& client, std::string_view name, std::string_view uid);

// A record in the form the plugin prints: its status with `name` = the namespace.
nlohmann::json recordEntry(const reconcile::CredentialRecord& record);

class CredentialRecords {
public:
  using Change = std::function<void(reconcile::NamespaceStatus&)>;
  // Called (outside any lock) with the binding's name whenever one of its
  // records appears, changes or goes, whoever wrote it.
  using OnChange = std::function<void(const std::string& binding)>;

  CredentialRecords(kube::Client& client, const Logger& logger, OnChange onChange);
  ~CredentialRecords();
  CredentialRecords(const CredentialRecords&) = delete;
  CredentialRecords& operator=(const CredentialRecords&) = delete;

  void start();
  void stop();
  bool waitForSync(std::chrono::milliseconds timeout);

  // The state of binding `uid` in `ns`; empty when there is no record (or only
  // one left by an earlier binding of the same name).
  std::optional<reconcile::NamespaceStatus> find(std::string_view binding, std::string_view uid,
                                                 std::string_view ns) const;
  // Every namespace holding a record of binding `uid`, sorted.
  std::vector<std::string> namespacesOf(std::string_view binding, std::string_view uid) const;
  // Calls `use` with a lookup over the binding's records, under the index's
  // lock: no copy of thousands of records to summarize them.
  void withRecords(std::string_view binding, std::string_view uid,
                   const std::function<void(const reconcile::RecordLookup&)>& use) const;

  // Applies `change` to the record of (binding, ns), creating it when there is
  // none; returns once it is stored. Changes of one record that arrive while it
  // is being written are written together.
  [[nodiscard]] Status update(const std::string& binding, const std::string& uid,
                              const std::string& ns, Change change);
  // Deleting what is already gone is success.
  [[nodiscard]] Status remove(const std::string& binding, const std::string& ns);

private:
  struct Write {
    std::string uid; // the binding's, as the caller resolved it
    Change change;
  };
  [[nodiscard]] Status writeBatch(const std::string& key, const std::vector<Write>& writes);
  void indexed(const kube::Json& object, bool present);

  kube::Client& client_;
  const Logger& logger_;
  OnChange onChange_;
  std::unique_ptr<kube::Informer> informer_;
  mutable std::mutex mutex_;
  // binding name → namespace → record
  std::map<std::string, std::map<std::string, reconcile::CredentialRecord, std::less<>>,
           std::less<>>
      index_;
  // The object each write stored, until the watch delivers it: the next write
  // of the record starts from it rather than from a GET.
  std::map<std::string, kube::Json> lastWritten_;
  GroupCommit<Write> commit_;
};

} // namespace harborrobot::hub
