// Reads: get, list (selectors, pagination, Tables) and watch.
#include <chrono>

#include <fmt/format.h>

#include "api_server.h"
#include "event_conversion.h"
#include "field_selector.h"
#include "harborrobot/model/label_selector.h"
#include "harborrobot/util/base64.h"
#include "table.h"

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

struct Selectors {
  LabelSelector labels;
  FieldSelector fields;

  bool matches(const json& object) const {
    if (!fields.matches(object))
      return false;
    if (labels.empty())
      return true;
    Labels objectLabels;
    const json& metadata = object["metadata"];
    if (metadata.contains("labels") && metadata["labels"].is_object()) {
      for (const auto& [key, value] : metadata["labels"].items()) {
        if (value.is_string())
          objectLabels.emplace(key, value.get<std::string>());
      }
    }
    return labels.matches(objectLabels);
  }
};

ApiResult<Selectors> selectorsFrom(const std::map<std::string, std::string>& query,
                                   const ResourceType& type) {
  Selectors selectors;
  if (const auto found = query.find("labelSelector");
      found != query.end() && !found->second.empty()) {
    auto parsed = parseLabelSelectorString(found->second);
    if (!parsed)
      return tl::unexpected(badRequest("unable to parse requirement: " + parsed.error().message()));
    selectors.labels = std::move(*parsed);
  }
  if (const auto found = query.find("fieldSelector"); found != query.end()) {
    auto parsed = FieldSelector::parse(found->second, type.selectableFields);
    if (!parsed)
      return tl::unexpected(parsed.error());
    selectors.fields = std::move(*parsed);
    // events.k8s.io/v1 labels select on the stored core Event's fields
    // (pkg/apis/events/v1/conversion.go AddFieldLabelConversionsForEvent).
    if (isEventsV1(type))
      selectors.fields.convertLabels(eventsV1FieldLabelToCore);
  }
  return selectors;
}

std::string queryValue(const std::map<std::string, std::string>& query, const std::string& key) {
  const auto found = query.find(key);
  return found == query.end() ? "" : found->second;
}

std::string includeObjectMode(const std::map<std::string, std::string>& query) {
  const std::string mode = queryValue(query, "includeObject");
  return mode.empty() ? "Metadata" : mode;
}

std::string objectKeyOf(const json& object) {
  return objectKey(object["metadata"].value("namespace", ""), object["metadata"].value("name", ""));
}

struct ContinueToken {
  std::uint64_t revision = 0;
  std::string startAfter;
};

std::string encodeContinue(const ContinueToken& token) {
  return base64Encode(json{{"rv", token.revision}, {"start", token.startAfter}}.dump());
}

std::optional<ContinueToken> decodeContinue(const std::string& text) {
  auto bytes = base64Decode(text);
  if (!bytes)
    return std::nullopt;
  const json parsed = json::parse(std::string(bytes->begin(), bytes->end()), nullptr, false);
  if (!parsed.is_object() || !parsed.contains("rv") || !parsed["rv"].is_number_unsigned() ||
      !parsed.contains("start") || !parsed["start"].is_string())
    return std::nullopt;
  return ContinueToken{parsed["rv"].get<std::uint64_t>(), parsed["start"].get<std::string>()};
}

} // namespace

ApiResult<json> ApiServer::getObject(Call& call) {
  auto found =
      store_.get(call.type.storageKey(), objectKey(call.target.namespaceName, call.target.name));
  if (!found)
    return tl::unexpected(notFound(call.type.qualifiedResource(), call.target.name));
  if (acceptsTable(call.request.accept) && call.target.subresource.empty()) {
    return makeTable(call.type, {*found},
                     {{"resourceVersion", found->at("metadata").value("resourceVersion", "")}},
                     includeObjectMode(call.query), true);
  }
  return std::move(*found);
}

namespace {

// apimachinery pkg/apis/meta/internalversion/validation/validation.go
// ValidateListOptions / validateWatchOptions; the handlers answer
// errors.NewInvalid(ListOptions.meta.k8s.io, "") (endpoints/handlers/get.go).
std::optional<ApiError> invalidListOptions(const std::map<std::string, std::string>& query,
                                           bool watch) {
  const std::string match = queryValue(query, "resourceVersionMatch");
  std::vector<Cause> causes;
  if (watch) {
    if (!match.empty())
      causes.push_back(
          forbiddenValue("resourceVersionMatch", "resourceVersionMatch is forbidden for watch"));
  } else if (!match.empty()) {
    const std::string version = queryValue(query, "resourceVersion");
    if (version.empty())
      causes.push_back(forbiddenValue("resourceVersionMatch",
                                      "resourceVersionMatch is forbidden unless resourceVersion is "
                                      "provided"));
    if (!queryValue(query, "continue").empty())
      causes.push_back(forbiddenValue(
          "resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
    if (match != "Exact" && match != "NotOlderThan")
      causes.push_back(
          unsupportedValue("resourceVersionMatch", match, {"Exact", "NotOlderThan", ""}));
    if (match == "Exact" && version == "0")
      causes.push_back(
          forbiddenValue("resourceVersionMatch",
                         "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
  }
  if (causes.empty())
    return std::nullopt;
  return invalid("ListOptions.meta.k8s.io", "", "meta.k8s.io", "ListOptions", causes);
}

} // namespace

ApiResult<json> ApiServer::listObjects(Call& call) {
  if (auto error = invalidListOptions(call.query, false))
    return tl::unexpected(*error);
  auto selectors = selectorsFrom(call.query, call.type);
  if (!selectors)
    return tl::unexpected(selectors.error());
  std::size_t limit = 0;
  if (const std::string text = queryValue(call.query, "limit"); !text.empty()) {
    try {
      const long long parsed = std::stoll(text);
      limit = parsed > 0 ? static_cast<std::size_t>(parsed) : 0;
    } catch (const std::exception&) {
      return tl::unexpected(badRequest("limit: Invalid value: " + goQuote(text) +
                                       ": must be a non-negative integer"));
    }
  }
  std::optional<ContinueToken> continueFrom;
  if (const std::string text = queryValue(call.query, "continue"); !text.empty()) {
    const std::string version = queryValue(call.query, "resourceVersion");
    if (!version.empty() && version != "0") {
      return tl::unexpected(
          badRequest("specifying resource version is not allowed when using continue"));
    }
    continueFrom = decodeContinue(text);
    if (!continueFrom)
      return tl::unexpected(badRequest("continue key is not valid: " + goQuote(text)));
    if (continueFrom->revision < store_.oldestRetainedRevision()) {
      return tl::unexpected(
          expired("The provided continue parameter is too old to display a consistent list result. "
                  "You can start a new list without the continue parameter."));
    }
  }
  auto page = store_.select(
      call.type.storageKey(), call.target.namespaceName,
      continueFrom ? continueFrom->startAfter : "",
      [&](const json& object) { return selectors->matches(object); }, limit,
      continueFrom ? continueFrom->revision : 0);
  const std::uint64_t revision = continueFrom ? continueFrom->revision : page.revision;
  json metadata = {{"resourceVersion", std::to_string(revision)}};
  if (page.remaining > 0) {
    metadata["continue"] = encodeContinue({revision, objectKeyOf(page.items.back())});
    metadata["remainingItemCount"] = page.remaining;
  }
  auto& items = page.items;
  if (acceptsTable(call.request.accept))
    return makeTable(call.type, items, metadata, includeObjectMode(call.query), true);
  json list = {{"kind", call.type.kind + "List"},
               {"apiVersion", call.type.apiVersion()},
               {"metadata", metadata},
               {"items", json::array()}};
  auto& array = list["items"].get_ref<json::array_t&>();
  array.reserve(items.size());
  for (auto& item : items)
    array.push_back(std::move(item));
  return list;
}

namespace {

// Decides what a watcher with selectors sees of a change, from the object's
// state before and after it, as the apiserver's watch cache does.
class WatchFilter {
public:
  WatchFilter(const ResourceType& type, std::string namespaceName, Selectors selectors)
      : type_(type), namespace_(std::move(namespaceName)), selectors_(std::move(selectors)) {}

  bool matches(const json& object) const {
    return object.is_object() &&
           (namespace_.empty() || object["metadata"].value("namespace", "") == namespace_) &&
           selectors_.matches(object);
  }

  // The event type to send for a change, or nullopt to skip it.
  std::optional<std::string> eventFor(const Change& change) const {
    if (change.storageKey != type_.storageKey())
      return std::nullopt;
    const bool before = matches(change.previous);
    const bool after = change.type != ChangeType::kDeleted && matches(change.object);
    if (before && after)
      return "MODIFIED";
    if (after)
      return "ADDED";
    if (before)
      return "DELETED";
    return std::nullopt;
  }

private:
  const ResourceType& type_;
  std::string namespace_;
  Selectors selectors_;
};

} // namespace

void ApiServer::watchObjects(Call& call, ResponseWriter& writer) {
  if (auto error = invalidListOptions(call.query, true)) {
    writer.send(error->code, "application/json", toJsonText(error->status), {});
    return;
  }
  auto selectors = selectorsFrom(call.query, call.type);
  if (!selectors) {
    writer.send(selectors.error().code, "application/json", toJsonText(selectors.error().status),
                {});
    return;
  }
  const bool table = acceptsTable(call.request.accept);
  const std::string includeObject = includeObjectMode(call.query);
  const bool bookmarks = queryFlag(call.query, "allowWatchBookmarks");
  // A real apiserver picks a random timeout between 30 and 60 minutes when the
  // client sets none; 30 keeps test runs bounded.
  long long timeoutSeconds = 1800;
  if (const std::string text = queryValue(call.query, "timeoutSeconds"); !text.empty()) {
    try {
      timeoutSeconds = std::max(0LL, std::stoll(text));
    } catch (const std::exception&) {
      writer.send(400, "application/json",
                  toJsonText(badRequest("timeoutSeconds: Invalid value: " + goQuote(text)).status),
                  {});
      return;
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  WatchFilter filter(call.type, call.target.namespaceName, *selectors);

  const std::string contentType =
      table ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json";
  if (!writer.startStream(200, contentType))
    return;
  bool columnsSent = false;
  auto emit = [&](const std::string& eventType, const json& object) {
    json payload = object;
    if (table && eventType != "ERROR" && eventType != "BOOKMARK") {
      payload = makeTable(call.type, {object},
                          {{"resourceVersion", object["metadata"].value("resourceVersion", "")}},
                          includeObject, !columnsSent);
      columnsSent = true;
    }
    if (isEventsV1(call.type))
      payload = presentEventsV1(std::move(payload));
    return writer.writeChunk(toJsonText({{"type", eventType}, {"object", payload}}) + "\n");
  };

  if (faults_.takeExpiredWatch()) {
    emit("ERROR", expired(fmt::format("too old resource version: {} ({})",
                                      queryValue(call.query, "resourceVersion"), store_.revision()))
                      .status);
    return;
  }
  const std::uint64_t generation = faults_.watchGeneration();
  const std::string requested = queryValue(call.query, "resourceVersion");
  std::uint64_t position = 0;
  if (requested.empty() || requested == "0") {
    auto snapshot = store_.list(call.type.storageKey(), call.target.namespaceName);
    for (const auto& object : snapshot.items) {
      if (filter.matches(object) && !emit("ADDED", object))
        return;
    }
    position = snapshot.revision;
  } else {
    try {
      position = std::stoull(requested);
    } catch (const std::exception&) {
      emit("ERROR", badRequest("resourceVersion: Invalid value: " + goQuote(requested)).status);
      return;
    }
  }

  auto lastWrite = std::chrono::steady_clock::now();
  while (!store_.stopped() && faults_.watchGeneration() == generation) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline)
      break;
    // Wake at least every second so a vanished client or a bookmark is noticed.
    const auto wake = std::min(deadline, now + std::chrono::seconds(1));
    auto changes = store_.changesSince(position, wake);
    if (!changes) {
      emit("ERROR", expired(fmt::format("too old resource version: {} ({})", position,
                                        store_.oldestRetainedRevision()))
                        .status);
      return;
    }
    for (const auto& change : *changes) {
      position = change->revision;
      if (auto eventType = filter.eventFor(*change)) {
        // apiserver storage/cacher/cache_watcher.go convertToWatchEvent: an
        // object that stops matching is sent as DELETED carrying its previous
        // content, stamped with the event's resourceVersion.
        if (*eventType == "DELETED" && change->type != ChangeType::kDeleted) {
          json previous = change->previous;
          previous["metadata"]["resourceVersion"] =
              change->object["metadata"].value("resourceVersion", std::to_string(change->revision));
          if (!emit(*eventType, previous))
            return;
        } else if (!emit(*eventType, change->object)) {
          return;
        }
        lastWrite = std::chrono::steady_clock::now();
      }
    }
    if (changes->empty()) {
      const bool idle = std::chrono::steady_clock::now() - lastWrite > options_.bookmarkAfterIdle;
      if (idle) {
        // Bookmarks keep informers' resourceVersion fresh, and the write
        // notices a client that has gone away.
        if (bookmarks) {
          json bookmark = {{"kind", call.type.kind},
                           {"apiVersion", call.type.apiVersion()},
                           {"metadata", {{"resourceVersion", std::to_string(position)}}}};
          if (!writer.writeChunk(toJsonText({{"type", "BOOKMARK"}, {"object", bookmark}}) + "\n"))
            return;
        }
        lastWrite = std::chrono::steady_clock::now();
      }
    }
  }
}

} // namespace harborrobot::kubesim
