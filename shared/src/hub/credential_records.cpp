#include "harborrobot/hub/credential_records.h"

#include <algorithm>

#include <fmt/format.h>

#include "harborrobot/util/json_text.h"

namespace harborrobot::hub {

namespace {

using reconcile::CredentialRecord;
using reconcile::NamespaceStatus;

std::string keyOf(std::string_view ns, std::string_view binding) {
  return fmt::format("{}/{}", ns, binding);
}

std::string versionOf(const kube::Json& object) {
  return object.value("/metadata/resourceVersion"_json_pointer, std::string());
}

// The cache keeps what the hub reads: the name, namespace, labels, version and
// status (no managed fields, owner references or annotations).
void keepRecordFields(kube::Json& object) {
  const kube::Json metadata = objectField(object, "metadata");
  kube::Json kept = kube::Json::object();
  for (const char* key : {"name", "namespace", "labels", "resourceVersion", "uid"}) {
    if (metadata.contains(key)) {
      kept[key] = metadata.at(key);
    }
  }
  object["metadata"] = std::move(kept);
}

} // namespace

Result<std::vector<CredentialRecord>>
listCredentialRecords(kube::Client& client, std::string_view name, std::string_view uid) {
  kube::ListOptions options;
  options.fieldSelector = fmt::format("metadata.name={}", name);
  options.labelSelector = fmt::format("{}={}", reconcile::kBindingUidLabel, uid);
  auto listed = client.list(kube::resources::harborRobotCredentials(), "", options);
  if (!listed) {
    return makeError(listed.error().withContext(
        fmt::format("listing the {} records of binding {}", reconcile::kCredentialKind, name)));
  }
  std::vector<CredentialRecord> records;
  for (const auto& item : listed->value("items", kube::Json::array())) {
    if (auto record = reconcile::parseCredentialRecord(item); record && record->bindingUid == uid) {
      records.push_back(std::move(*record));
    }
  }
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a.state.name < b.state.name; });
  return records;
}

nlohmann::json recordEntry(const CredentialRecord& record) {
  nlohmann::json entry = reconcile::toJson(record.state, record.binding);
  entry["name"] = record.state.name;
  return entry;
}

CredentialRecords::CredentialRecords(kube::Client& client, const Logger& logger, OnChange onChange)
    : client_(client), logger_(logger), onChange_(std::move(onChange)),
      commit_([this](const std::string& key, const std::vector<Write>& writes) {
        return writeBatch(key, writes);
      }) {}

CredentialRecords::~CredentialRecords() {
  stop();
}

void CredentialRecords::start() {
  kube::InformerHandlers handlers;
  handlers.onAdd = [this](const kube::Json& object) { indexed(object, true); };
  handlers.onUpdate = [this](const kube::Json&, const kube::Json& after) { indexed(after, true); };
  handlers.onDelete = [this](const kube::Json& object) { indexed(object, false); };
  handlers.onError = [this](const Error& error) {
    logger_.warn("watching credential records", {{"error", error.message()}});
  };
  kube::InformerOptions options;
  options.labelSelector =
      fmt::format("{}={}", reconcile::kManagedByLabel, reconcile::kManagedByValue);
  options.transform = keepRecordFields;
  informer_ = std::make_unique<kube::Informer>(client_, kube::resources::harborRobotCredentials(),
                                               std::move(options), std::move(handlers));
  informer_->start();
}

void CredentialRecords::stop() {
  if (informer_) {
    informer_->stop();
  }
}

bool CredentialRecords::waitForSync(std::chrono::milliseconds timeout) {
  return informer_ && informer_->waitForSync(timeout);
}

void CredentialRecords::indexed(const kube::Json& object, bool present) {
  auto record = reconcile::parseCredentialRecord(object);
  if (!record) {
    logger_.warn("ignoring a credential record", {{"error", record.error().message()}});
    return;
  }
  const std::string binding = record->binding;
  {
    std::lock_guard lock(mutex_);
    const std::string key = keyOf(record->state.name, binding);
    if (const auto written = lastWritten_.find(key);
        written != lastWritten_.end() &&
        (!present || versionOf(written->second) == versionOf(object))) {
      lastWritten_.erase(written); // the watch has caught up
    }
    auto& records = index_[binding];
    if (present) {
      records[record->state.name] = std::move(*record);
    } else {
      records.erase(record->state.name);
      if (records.empty()) {
        index_.erase(binding);
      }
    }
  }
  if (onChange_) {
    onChange_(binding);
  }
}

std::optional<NamespaceStatus>
CredentialRecords::find(std::string_view binding, std::string_view uid, std::string_view ns) const {
  std::lock_guard lock(mutex_);
  const auto records = index_.find(binding);
  if (records == index_.end()) {
    return std::nullopt;
  }
  const auto found = records->second.find(ns);
  if (found == records->second.end() || found->second.bindingUid != uid) {
    return std::nullopt;
  }
  return found->second.state;
}

std::vector<std::string> CredentialRecords::namespacesOf(std::string_view binding,
                                                         std::string_view uid) const {
  std::vector<std::string> namespaces;
  std::lock_guard lock(mutex_);
  if (const auto records = index_.find(binding); records != index_.end()) {
    for (const auto& [ns, record] : records->second) {
      if (record.bindingUid == uid) {
        namespaces.push_back(ns);
      }
    }
  }
  return namespaces;
}

void CredentialRecords::withRecords(
    std::string_view binding, std::string_view uid,
    const std::function<void(const reconcile::RecordLookup&)>& use) const {
  std::lock_guard lock(mutex_);
  const auto records = index_.find(binding);
  use([&](std::string_view ns) -> const NamespaceStatus* {
    if (records == index_.end()) {
      return nullptr;
    }
    const auto found = records->second.find(ns);
    return found == records->second.end() || found->second.bindingUid != uid ? nullptr
                                                                             : &found->second.state;
  });
}

Status CredentialRecords::update(const std::string& binding, const std::string& uid,
                                 const std::string& ns, Change change) {
  return commit_.submit(keyOf(ns, binding), Write{uid, std::move(change)});
}

Status CredentialRecords::writeBatch(const std::string& key, const std::vector<Write>& writes) {
  const auto slash = key.find('/');
  const std::string ns = key.substr(0, slash);
  const std::string binding = key.substr(slash + 1);
  const std::string& uid = writes.back().uid;
  // The state the changes apply to: a record of another binding of this name
  // (deleted and created again) starts over.
  const auto apply = [&](const kube::Json& object) {
    CredentialRecord record{binding, uid, NamespaceStatus{.name = ns}};
    if (auto current = reconcile::parseCredentialRecord(object);
        current && current->bindingUid == uid) {
      record.state = current->state;
    }
    const NamespaceStatus before = record.state;
    for (const auto& write : writes) {
      if (write.uid == uid) {
        write.change(record.state);
      }
    }
    return std::make_pair(record, !(record.state == before));
  };
  std::optional<kube::Json> start;
  {
    std::lock_guard lock(mutex_);
    if (const auto found = lastWritten_.find(key); found != lastWritten_.end()) {
      start = found->second;
    }
  }
  if (!start && informer_) {
    if (auto cached = informer_->find(ns, binding)) {
      start = *cached;
    }
  }
  const auto mutate = [&](kube::Json& object) -> Result<bool> {
    auto [record, changed] = apply(object);
    const bool sameOwner = stringField(objectField(objectField(object, "metadata"), "labels"),
                                       reconcile::kBindingUidLabel) == uid;
    if (!changed && sameOwner) {
      return false;
    }
    kube::Json fresh = reconcile::toObject(record);
    object["metadata"]["labels"] = fresh["metadata"]["labels"];
    object["metadata"]["ownerReferences"] = fresh["metadata"]["ownerReferences"];
    object["status"] = std::move(fresh["status"]);
    return true;
  };
  const auto& type = kube::resources::harborRobotCredentials();
  // With a synced cache that holds no record, the record is new: created
  // without a GET first (one call per namespace's first activation, not two). A
  // record the cache has not seen yet answers 409 and is changed instead.
  const bool absent = !start && informer_ && informer_->waitForSync(std::chrono::milliseconds(0));
  Result<kube::Json> written =
      absent  ? Result<kube::Json>(makeError(ErrorCode::kNotFound, "not in the synced cache"))
      : start ? client_.modifyFrom(*start, type, ns, binding, mutate)
              : client_.modify(type, ns, binding, mutate);
  if (!written && written.error().code() == ErrorCode::kNotFound) {
    written = client_.create(type, ns, reconcile::toObject(apply(kube::Json::object()).first));
    if (!written && written.error().code() == ErrorCode::kAlreadyExists) {
      written = client_.modify(type, ns, binding, mutate); // created meanwhile: change it
    }
  }
  std::lock_guard lock(mutex_);
  if (!written) {
    lastWritten_.erase(key);
    return makeError(written.error().withContext(
        fmt::format("writing {} {}/{}", reconcile::kCredentialKind, ns, binding)));
  }
  if (written->is_object() && written->contains("metadata")) {
    keepRecordFields(*written);
    lastWritten_[key] = std::move(*written);
  }
  return ok();
}

Status CredentialRecords::remove(const std::string& binding, const std::string& ns) {
  auto removed = client_.remove(kube::resources::harborRobotCredentials(), ns, binding);
  if (!removed) {
    return makeError(removed.error().withContext(
        fmt::format("deleting {} {}/{}", reconcile::kCredentialKind, ns, binding)));
  }
  std::lock_guard lock(mutex_);
  lastWritten_.erase(keyOf(ns, binding));
  return ok();
}

} // namespace harborrobot::hub
