#include "managed_fields.h"

#include <fmt/format.h>

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

void collect(const json& value, FieldPath& path, FieldSet& fields) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, child] : value.items()) {
      path.push_back(key);
      collect(child, path, fields);
      path.pop_back();
    }
    return;
  }
  fields.insert(path);
}

const json* lookup(const json& object, const FieldPath& path) {
  const json* node = &object;
  for (const auto& key : path) {
    if (!node->is_object() || !node->contains(key))
      return nullptr;
    node = &(*node)[key];
  }
  return node;
}

void erasePath(json& object, const FieldPath& path) {
  json* node = &object;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    if (!node->is_object() || !node->contains(path[i]))
      return;
    node = &(*node)[path[i]];
  }
  if (node->is_object() && !path.empty())
    node->erase(path.back());
}

// Objects merge key by key; scalars and lists (atomic) replace.
void mergeInto(json& target, const json& source) {
  if (!target.is_object() || !source.is_object()) {
    target = source;
    return;
  }
  for (const auto& [key, value] : source.items()) {
    if (target.contains(key) && target[key].is_object() && value.is_object() && !value.empty())
      mergeInto(target[key], value);
    else
      target[key] = value;
  }
}

struct ManagerEntry {
  std::string manager;
  std::string operation;
  FieldSet fields;
  json raw;
};

std::vector<ManagerEntry> entriesOf(const json& object) {
  std::vector<ManagerEntry> entries;
  const json managed =
      object.is_object()
          ? object.value("metadata", json::object()).value("managedFields", json::array())
          : json::array();
  if (!managed.is_array())
    return entries;
  for (const auto& entry : managed) {
    if (!entry.is_object())
      continue;
    entries.push_back({entry.value("manager", ""), entry.value("operation", ""),
                       fromFieldsV1(entry.value("fieldsV1", json::object())), entry});
  }
  return entries;
}

void storeEntries(json& object, const std::vector<ManagerEntry>& entries,
                  const std::string& apiVersion, const std::string& timestamp,
                  const std::string& changedManager) {
  json managed = json::array();
  for (const auto& entry : entries) {
    if (entry.fields.empty())
      continue;
    json raw = entry.raw;
    if (entry.manager == changedManager || raw.is_null()) {
      raw = {{"manager", entry.manager},
             {"operation", entry.operation},
             {"apiVersion", apiVersion},
             {"time", timestamp},
             {"fieldsType", "FieldsV1"}};
    }
    raw["fieldsV1"] = toFieldsV1(entry.fields);
    managed.push_back(std::move(raw));
  }
  if (managed.empty())
    object["metadata"].erase("managedFields");
  else
    object["metadata"]["managedFields"] = std::move(managed);
}

bool startsWith(const FieldPath& path, const FieldPath& prefix) {
  return prefix.size() <= path.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

// Two leaf sets overlap when one path is a prefix of the other.
bool overlaps(const FieldPath& a, const FieldPath& b) {
  return startsWith(a, b) || startsWith(b, a);
}

} // namespace

FieldSet fieldsOf(const json& object) {
  FieldSet fields;
  if (!object.is_object())
    return fields;
  FieldPath path;
  for (const auto& [key, value] : object.items()) {
    if (key == "apiVersion" || key == "kind")
      continue;
    if (key == "metadata") {
      for (const char* owned : {"labels", "annotations"}) {
        if (value.is_object() && value.contains(owned)) {
          path = {"metadata", owned};
          collect(value[owned], path, fields);
        }
      }
      continue;
    }
    path = {key};
    collect(value, path, fields);
  }
  return fields;
}

json toFieldsV1(const FieldSet& fields) {
  json root = json::object();
  for (const auto& path : fields) {
    json* node = &root;
    for (const auto& key : path)
      node = &(*node)["f:" + key];
    if (node->is_null())
      *node = json::object();
  }
  return root;
}

FieldSet fromFieldsV1(const json& fieldsV1) {
  FieldSet fields;
  FieldPath path;
  std::function<void(const json&)> walk = [&](const json& node) {
    bool leaf = true;
    if (node.is_object()) {
      for (const auto& [key, child] : node.items()) {
        if (!key.starts_with("f:"))
          continue;
        leaf = false;
        path.push_back(key.substr(2));
        walk(child);
        path.pop_back();
      }
    }
    if (leaf && !path.empty())
      fields.insert(path);
  };
  walk(fieldsV1);
  return fields;
}

std::string describe(const FieldPath& path) {
  std::string text;
  for (const auto& key : path)
    text += "." + key;
  return text;
}

ApiResult<json> serverSideApply(const json& live, const json& applied, const std::string& manager,
                                bool force, const std::string& apiVersion,
                                const std::string& timestamp) {
  const FieldSet appliedFields = fieldsOf(applied);
  std::vector<ManagerEntry> entries = entriesOf(live);
  json conflicts = json::array();
  std::string conflictText;
  for (auto& entry : entries) {
    if (entry.manager == manager && entry.operation == "Apply")
      continue;
    for (const auto& owned : entry.fields) {
      for (const auto& wanted : appliedFields) {
        if (!overlaps(owned, wanted))
          continue;
        const json* current = lookup(live, wanted);
        const json* next = lookup(applied, wanted);
        if (current != nullptr && next != nullptr && *current == *next)
          continue;
        conflicts.push_back({{"reason", "FieldManagerConflict"},
                             {"message", fmt::format("conflict with \"{}\"", entry.manager)},
                             {"field", describe(wanted)}});
        conflictText +=
            fmt::format("\n- conflict with \"{}\": {}", entry.manager, describe(wanted));
      }
    }
  }
  if (!conflicts.empty() && !force) {
    const std::string name = applied["metadata"].value("name", "");
    ApiError error = statusError(409, "Conflict",
                                 fmt::format("Apply failed with {} conflict{}:{}", conflicts.size(),
                                             conflicts.size() == 1 ? "" : "s", conflictText));
    error.status["details"] = {{"causes", conflicts}};
    return tl::unexpected(error);
  }
  json result = live.is_null() ? json::object() : live;
  // Fields this manager applied before and no longer applies are removed,
  // unless someone else also owns them.
  auto mine = std::find_if(entries.begin(), entries.end(), [&](const ManagerEntry& entry) {
    return entry.manager == manager && entry.operation == "Apply";
  });
  if (mine != entries.end()) {
    for (const auto& dropped : mine->fields) {
      if (appliedFields.contains(dropped))
        continue;
      const bool sharedWithOthers =
          std::any_of(entries.begin(), entries.end(), [&](const ManagerEntry& other) {
            return &other != &*mine && other.fields.contains(dropped);
          });
      if (!sharedWithOthers)
        erasePath(result, dropped);
    }
  }
  mergeInto(result, applied);
  // Forced fields change hands.
  for (auto& entry : entries) {
    if (entry.manager == manager && entry.operation == "Apply")
      continue;
    std::erase_if(entry.fields, [&](const FieldPath& owned) {
      return std::any_of(appliedFields.begin(), appliedFields.end(), [&](const FieldPath& wanted) {
        const json* current = lookup(live, wanted);
        const json* next = lookup(applied, wanted);
        return overlaps(owned, wanted) && !(current && next && *current == *next);
      });
    });
  }
  if (mine != entries.end())
    mine->fields = appliedFields;
  else
    entries.push_back({manager, "Apply", appliedFields, json()});
  storeEntries(result, entries, apiVersion, timestamp, manager);
  return result;
}

void recordUpdate(const json& before, json& after, const std::string& manager,
                  const std::string& apiVersion, const std::string& timestamp) {
  if (manager.empty())
    return;
  FieldSet changed;
  for (const auto& field : fieldsOf(after)) {
    const json* old = lookup(before, field);
    const json* now = lookup(after, field);
    if (old == nullptr || now == nullptr || *old != *now)
      changed.insert(field);
  }
  std::vector<ManagerEntry> entries = entriesOf(after);
  // Ownership ends for fields this write removed (structured-merge-diff
  // Updater.update: other managers lose compare.Removed); a field a manager
  // owns that was never in the stored object (a Secret's stringData.*) stays.
  for (auto& entry : entries) {
    std::erase_if(entry.fields, [&](const FieldPath& owned) {
      return (lookup(before, owned) != nullptr && lookup(after, owned) == nullptr) ||
             (!(entry.manager == manager && entry.operation == "Update") &&
              changed.contains(owned));
    });
  }
  if (changed.empty() && !entries.empty()) {
    storeEntries(after, entries, apiVersion, timestamp, "");
    return;
  }
  auto mine = std::find_if(entries.begin(), entries.end(), [&](const ManagerEntry& entry) {
    return entry.manager == manager && entry.operation == "Update";
  });
  if (mine == entries.end()) {
    entries.push_back({manager, "Update", changed, json()});
  } else {
    mine->fields.insert(changed.begin(), changed.end());
    mine->raw = json();
  }
  storeEntries(after, entries, apiVersion, timestamp, manager);
}

} // namespace harborrobot::kubesim
