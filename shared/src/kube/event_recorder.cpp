// EventRecorder: create or bump Events, keyed as client-go aggregates them.
#include "harborrobot/kube/event_recorder.h"
#include "harborrobot/observability/redact.h"
#include "harborrobot/util/json_text.h"

#include <algorithm>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace harborrobot::kube {

namespace {

std::string rfc3339(std::chrono::system_clock::time_point time) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(time));
}

// Event messages are capped like the apiserver's (1 KiB for note fields in
// events.k8s.io; core/v1 is laxer, but huge messages help nobody).
std::string capped(std::string_view message) {
  constexpr std::size_t kMax = 1024;
  if (message.size() <= kMax) {
    return std::string(message);
  }
  return std::string(message.substr(0, kMax - 3)) + "...";
}

// client-go's defaults (defaultSpamBurst, defaultSpamQPS in
// tools/record/events_cache.go): 25 at once, then one per 300 s.
constexpr double kSpamBurst = 25;
constexpr std::chrono::seconds kSpamRefill{300};

} // namespace

ObjectReference ObjectReference::of(const Json& object) {
  const Json metadata = objectField(object, "metadata");
  return {stringField(object, "apiVersion"),  stringField(object, "kind"),
          stringField(metadata, "namespace"), stringField(metadata, "name"),
          stringField(metadata, "uid"),       stringField(metadata, "resourceVersion")};
}

EventRecorder::EventRecorder(Client& client, std::string component, std::string host,
                             std::chrono::minutes aggregationWindow, WallClock clock)
    : client_(client), component_(std::move(component)), host_(std::move(host)),
      window_(aggregationWindow), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] { return std::chrono::system_clock::now(); };
  }
}

bool EventRecorder::spend(const std::string& object, std::chrono::system_clock::time_point now) {
  auto [found, created] = budgets_.try_emplace(object, Budget{kSpamBurst, now});
  Budget& budget = found->second;
  if (!created && now > budget.refilled) {
    const std::chrono::duration<double> elapsed = now - budget.refilled;
    budget.tokens = std::min(kSpamBurst, budget.tokens + elapsed / kSpamRefill);
    budget.refilled = now;
  }
  if (budget.tokens < 1) {
    return false;
  }
  budget.tokens -= 1;
  return true;
}

Status EventRecorder::record(const ObjectReference& object, EventType type, std::string_view reason,
                             std::string_view message) {
  const auto now = clock_();
  const std::string typeText = type == EventType::kWarning ? "Warning" : "Normal";
  // Redacted at the edge: messages carry Harbor's and the API server's texts.
  const std::string text = capped(redactSecrets(message));
  // Cluster-scoped objects (bindings, namespaces) get their events in "default",
  // as kubectl describe looks for them there.
  const std::string eventNamespace = object.ns.empty() ? "default" : object.ns;
  const std::string objectKey =
      object.uid.empty() ? object.kind + "/" + object.ns + "/" + object.name : object.uid;
  const Key key{objectKey, typeText, std::string(reason), text};

  std::unique_lock lock(mutex_);
  // Forget aggregation keys past their window, and budgets that are full again,
  // so a long-running hub stays small.
  if ((sequence_ & 0xff) == 0) {
    std::erase_if(seen_, [&](const auto& entry) { return now - entry.second.last >= window_; });
    std::erase_if(budgets_, [&](const auto& entry) {
      return now - entry.second.refilled >= kSpamRefill * static_cast<int>(kSpamBurst);
    });
  }
  if (!spend(objectKey, now)) {
    return ok();
  }
  auto found = seen_.find(key);
  if (found != seen_.end() && now - found->second.last < window_) {
    Seen& seen = found->second;
    seen.count += 1;
    seen.last = now;
    const Json patch = {{"count", seen.count}, {"lastTimestamp", rfc3339(now)}};
    const std::string name = seen.eventName;
    const std::string ns = seen.eventNamespace;
    lock.unlock();
    auto patched = client_.patch(resources::events(), ns, name, PatchType::kMerge, jsonText(patch));
    if (patched || patched.error().code() != ErrorCode::kNotFound) {
      return patched ? ok() : makeError(patched.error());
    }
    // The Event expired (the apiserver's TTL): fall through and create a new one.
    lock.lock();
    seen_.erase(key);
  }

  const std::string name = fmt::format(
      "{}.{:x}{:04x}", object.name,
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count(),
      ++sequence_ & 0xffff);
  seen_[key] = Seen{name, eventNamespace, 1, now};
  lock.unlock();

  Json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata", {{"name", name}, {"namespace", eventNamespace}}},
                {"involvedObject",
                 {{"apiVersion", object.apiVersion}, {"kind", object.kind}, {"name", object.name}}},
                {"reason", std::string(reason)},
                {"message", text},
                {"type", typeText},
                {"count", 1},
                {"firstTimestamp", rfc3339(now)},
                {"lastTimestamp", rfc3339(now)},
                {"source", {{"component", component_}}},
                {"reportingComponent", component_},
                {"reportingInstance", host_}};
  if (!object.ns.empty()) {
    event["involvedObject"]["namespace"] = object.ns;
  }
  if (!object.uid.empty()) {
    event["involvedObject"]["uid"] = object.uid;
  }
  if (!object.resourceVersion.empty()) {
    event["involvedObject"]["resourceVersion"] = object.resourceVersion;
  }
  if (!host_.empty()) {
    event["source"]["host"] = host_;
  }
  auto created = client_.create(resources::events(), eventNamespace, event);
  if (!created) {
    std::lock_guard relock(mutex_);
    seen_.erase(key);
    return makeError(created.error().withContext(fmt::format("recording event {}", reason)));
  }
  return ok();
}

} // namespace harborrobot::kube
