// Group commit of binding status writes, each starting from the last one stored.
#include "harborrobot/hub/binding_status_writer.h"

namespace harborrobot::hub {

BindingStatusWriter::BindingStatusWriter(kube::Client& client, const BindingStatusCache& statuses,
                                         CachedBinding cached, StillLeading stillLeading)
    : client_(client), statuses_(statuses), cached_(std::move(cached)),
      stillLeading_(std::move(stillLeading)),
      commit_([this](const std::string& name, const std::vector<StatusChange>& changes) {
        return writeBatch(name, changes);
      }) {}

Status BindingStatusWriter::write(const std::string& name, StatusChange change) {
  return commit_.submit(name, std::move(change));
}

void BindingStatusWriter::forget(const std::string& name) {
  std::lock_guard lock(writtenMutex_);
  lastWritten_.erase(name);
}

Status BindingStatusWriter::writeBatch(const std::string& name,
                                       const std::vector<StatusChange>& changes) {
  // The hub is the only writer of binding status; commit_ runs one write per
  // binding at a time, so reconciles and agent reports never lose to each
  // other's 409s. A replica past its lease writes nothing.
  if (auto leading = stillLeading_(); !leading) {
    return leading;
  }
  std::shared_ptr<const kube::Json> start = cached_(name);
  {
    std::lock_guard lock(writtenMutex_);
    if (const auto found = lastWritten_.find(name); found != lastWritten_.end()) {
      const auto versionOf = [](const kube::Json& object) {
        return object.value("/metadata/resourceVersion"_json_pointer, std::string());
      };
      if (start && versionOf(*start) == versionOf(*found->second)) {
        lastWritten_.erase(found); // the watch has caught up: keep one copy, not two
      } else {
        start = found->second;
      }
    }
  }
  const auto mutate = [&](kube::Json& object) -> Result<bool> {
    const reconcile::BindingStatus before = *statuses_.statusOf(object);
    reconcile::BindingStatus after = before;
    for (const auto& change : changes) {
      change(after);
    }
    if (after == before && object.contains("status")) {
      return false;
    }
    object["status"] = reconcile::toJson(after);
    return true;
  };
  kube::WriteOptions options;
  options.subresource = "status";
  auto written =
      start ? client_.modifyFrom(*start, kube::resources::harborRobotBindings(), "", name, mutate,
                                 options)
            : client_.modify(kube::resources::harborRobotBindings(), "", name, mutate, options);
  std::lock_guard lock(writtenMutex_);
  if (!written) {
    lastWritten_.erase(name);
    return makeError(written.error());
  }
  lastWritten_[name] = std::make_shared<const kube::Json>(std::move(*written));
  return ok();
}

} // namespace harborrobot::hub
