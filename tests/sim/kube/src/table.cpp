#include "table.h"

#include <algorithm>
#include <cctype>
#include <functional>

#include "harborrobot/jsonpath/jsonpath.h"
#include "harborrobot/util/human_duration.h"
#include "timestamps.h"

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

using CellFunction = std::function<json(const json&)>;

struct Column {
  std::string name;
  std::string type;
  std::string format;
  int priority;
  CellFunction cell;
  std::string description;
};

std::string ageOf(const std::string& timestamp) {
  const auto parsed = parseTimestamp(timestamp);
  if (!parsed)
    return "<invalid>";
  return humanDuration(std::chrono::system_clock::now() - *parsed);
}

const json& field(const json& object, std::initializer_list<const char*> path) {
  static const json kNull;
  const json* node = &object;
  for (const char* part : path) {
    if (!node->is_object() || !node->contains(part))
      return kNull;
    node = &(*node)[part];
  }
  return *node;
}

std::string stringField(const json& object, std::initializer_list<const char*> path) {
  const json& value = field(object, path);
  return value.is_string() ? value.get<std::string>() : "";
}

std::int64_t countOf(const json& value) {
  return value.is_object() || value.is_array() ? static_cast<std::int64_t>(value.size()) : 0;
}

Column nameColumn() {
  return {"Name",
          "string",
          "name",
          0,
          [](const json& object) {
            return json(stringField(object, {"metadata", "name"}));
          },
          "Name of the object, unique within its namespace"};
}

Column ageColumn() {
  return {"Age",
          "string",
          "",
          0,
          [](const json& object) {
            return json(ageOf(stringField(object, {"metadata", "creationTimestamp"})));
          },
          "Time since the object was created"};
}

Column createdAtColumn() {
  return {"Created At",
          "date",
          "",
          0,
          [](const json& object) {
            return field(object, {"metadata", "creationTimestamp"});
          },
          "Creation timestamp of the object"};
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string joinNames(const json& list, const char* key, const std::string& kind = "") {
  std::string joined;
  if (!list.is_array())
    return joined;
  for (const auto& entry : list) {
    if (!kind.empty() && entry.value("kind", "") != kind)
      continue;
    std::string name = entry.is_object() ? entry.value(key, "") : "";
    if (kind == "ServiceAccount")
      name = entry.value("namespace", "") + "/" + name;
    joined += (joined.empty() ? "" : ", ") + name;
  }
  return joined;
}

std::string podStatus(const json& pod) {
  if (!field(pod, {"metadata", "deletionTimestamp"}).is_null())
    return "Terminating";
  std::string reason = stringField(pod, {"status", "reason"});
  if (reason.empty())
    reason = stringField(pod, {"status", "phase"});
  if (reason.empty())
    reason = "Pending";
  const json& statuses = field(pod, {"status", "containerStatuses"});
  if (statuses.is_array()) {
    for (const auto& status : statuses) {
      const std::string waiting = stringField(status, {"state", "waiting", "reason"});
      const std::string terminated = stringField(status, {"state", "terminated", "reason"});
      if (!waiting.empty())
        reason = waiting;
      else if (!terminated.empty())
        reason = terminated;
    }
  }
  return reason;
}

std::vector<Column> builtinColumns(const ResourceType& type) {
  const std::string& kind = type.kind;
  if (kind == "Namespace") {
    return {nameColumn(),
            {"Status", "string", "", 0,
             [](const json& o) {
               return json(stringField(o, {"status", "phase"}));
             },
             "The phase of the namespace"},
            ageColumn()};
  }
  if (kind == "Secret") {
    return {nameColumn(),
            {"Type", "string", "", 0,
             [](const json& o) {
               const std::string secretType = stringField(o, {"type"});
               return json(secretType.empty() ? "Opaque" : secretType);
             },
             "The type of the secret"},
            {"Data", "string", "", 0,
             [](const json& o) { return json(countOf(o.value("data", json()))); },
             "Number of keys in data"},
            ageColumn()};
  }
  if (kind == "ServiceAccount") {
    return {nameColumn(),
            {"Secrets", "string", "", 0,
             [](const json& o) { return json(countOf(o.value("secrets", json()))); },
             "Number of secrets listed under secrets"},
            ageColumn()};
  }
  if (kind == "ConfigMap") {
    return {nameColumn(),
            {"Data", "string", "", 0,
             [](const json& o) {
               return json(countOf(o.value("data", json())) +
                           countOf(o.value("binaryData", json())));
             },
             "Number of keys in data and binaryData"},
            ageColumn()};
  }
  if (kind == "Pod") {
    return {nameColumn(),
            {"Ready", "string", "", 0,
             [](const json& o) {
               const json& containers = field(o, {"spec", "containers"});
               const json& statuses = field(o, {"status", "containerStatuses"});
               std::int64_t ready = 0;
               if (statuses.is_array()) {
                 for (const auto& status : statuses)
                   ready += status.value("ready", false) ? 1 : 0;
               }
               return json(std::to_string(ready) + "/" + std::to_string(countOf(containers)));
             },
             "Ready containers of all containers"},
            {"Status", "string", "", 0, [](const json& o) { return json(podStatus(o)); },
             "The aggregate status of the containers"},
            {"Restarts", "string", "", 0,
             [](const json& o) {
               std::int64_t restarts = 0;
               const json& statuses = field(o, {"status", "containerStatuses"});
               if (statuses.is_array()) {
                 for (const auto& status : statuses)
                   restarts += status.value("restartCount", 0);
               }
               return json(std::to_string(restarts));
             },
             "Container restarts"},
            ageColumn(),
            {"IP", "string", "", 1,
             [](const json& o) {
               const std::string ip = stringField(o, {"status", "podIP"});
               return json(ip.empty() ? "<none>" : ip);
             },
             "The pod's IP address"},
            {"Node", "string", "", 1,
             [](const json& o) {
               const std::string node = stringField(o, {"spec", "nodeName"});
               return json(node.empty() ? "<none>" : node);
             },
             "The node the pod runs on"}};
  }
  if (kind == "Deployment") {
    return {
        nameColumn(),
        {"Ready", "string", "", 0,
         [](const json& o) {
           const json& replicas = field(o, {"spec", "replicas"});
           const std::int64_t wanted = replicas.is_number() ? replicas.get<std::int64_t>() : 1;
           const json& ready = field(o, {"status", "readyReplicas"});
           return json(std::to_string(ready.is_number() ? ready.get<std::int64_t>() : 0) + "/" +
                       std::to_string(wanted));
         },
         "Ready replicas of the desired replicas"},
        {"Up-to-date", "integer", "", 0,
         [](const json& o) {
           const json& value = field(o, {"status", "updatedReplicas"});
           return json(value.is_number() ? value.get<std::int64_t>() : 0);
         },
         "Replicas running the latest template"},
        {"Available", "integer", "", 0,
         [](const json& o) {
           const json& value = field(o, {"status", "availableReplicas"});
           return json(value.is_number() ? value.get<std::int64_t>() : 0);
         },
         "Replicas available to users"},
        ageColumn(),
        {"Containers", "string", "", 1,
         [](const json& o) {
           return json(joinNames(field(o, {"spec", "template", "spec", "containers"}), "name"));
         },
         "Container names of the template"},
        {"Images", "string", "", 1,
         [](const json& o) {
           return json(joinNames(field(o, {"spec", "template", "spec", "containers"}), "image"));
         },
         "Container images of the template"}};
  }
  if (kind == "Event") {
    return {{"Last Seen", "string", "", 0,
             [](const json& o) {
               std::string last = stringField(o, {"lastTimestamp"});
               if (last.empty())
                 last = stringField(o, {"eventTime"});
               if (last.empty())
                 last = stringField(o, {"firstTimestamp"});
               return json(last.empty() ? "<unknown>" : ageOf(last));
             },
             "Time since the event was last seen"},
            {"Type", "string", "", 0, [](const json& o) { return json(stringField(o, {"type"})); },
             "Normal or Warning"},
            {"Reason", "string", "", 0,
             [](const json& o) { return json(stringField(o, {"reason"})); }, "Why it happened"},
            {"Object", "string", "", 0,
             [](const json& o) {
               return json(lower(stringField(o, {"involvedObject", "kind"})) + "/" +
                           stringField(o, {"involvedObject", "name"}));
             },
             "The object the event is about"},
            {"Message", "string", "", 0,
             [](const json& o) { return json(stringField(o, {"message"})); }, "What happened"},
            {"Count", "integer", "", 1, [](const json& o) { return json(o.value("count", 1)); },
             "Occurrences"}};
  }
  if (kind == "Lease") {
    return {nameColumn(),
            {"Holder", "string", "", 0,
             [](const json& o) {
               return json(stringField(o, {"spec", "holderIdentity"}));
             },
             "The current holder"},
            ageColumn()};
  }
  if (kind == "RoleBinding" || kind == "ClusterRoleBinding") {
    return {
        nameColumn(),
        {"Role", "string", "", 0,
         [](const json& o) {
           return json(stringField(o, {"roleRef", "kind"}) + "/" +
                       stringField(o, {"roleRef", "name"}));
         },
         "The bound role"},
        ageColumn(),
        {"Users", "string", "", 1,
         [](const json& o) { return json(joinNames(o.value("subjects", json()), "name", "User")); },
         "Bound users"},
        {"Groups", "string", "", 1,
         [](const json& o) {
           return json(joinNames(o.value("subjects", json()), "name", "Group"));
         },
         "Bound groups"},
        {"ServiceAccounts", "string", "", 1,
         [](const json& o) {
           return json(joinNames(o.value("subjects", json()), "name", "ServiceAccount"));
         },
         "Bound service accounts"}};
  }
  return {nameColumn(), createdAtColumn()};
}

// additionalPrinterColumns as apiextensions' table convertor evaluates them.
std::vector<Column> customColumns(const ResourceType& type) {
  if (type.printerColumns.empty())
    return {nameColumn(), createdAtColumn()};
  std::vector<Column> columns = {nameColumn()};
  for (const auto& printer : type.printerColumns) {
    auto compiled = jsonpath::Template::parse("{" + printer.jsonPath + "}");
    std::shared_ptr<jsonpath::Template> path;
    if (compiled)
      path = std::make_shared<jsonpath::Template>(std::move(*compiled));
    const std::string columnType = printer.type;
    Column column{
        printer.name,
        printer.type == "date" ? "date" : printer.type,
        printer.format,
        printer.priority,
        [path, columnType](const json& object) -> json {
          if (!path)
            return nullptr;
          auto values = path->values(object);
          if (!values || values->empty())
            return nullptr;
          const json& value = values->front();
          if (columnType == "date")
            return value.is_string() ? json(ageOf(value.get<std::string>())) : json("<invalid>");
          if (columnType == "string")
            return value.is_string() ? value : json(value.dump());
          return value;
        },
        printer.description.empty()
            ? "Custom resource definition column (in JSONPath format): " + printer.jsonPath
            : printer.description};
    columns.push_back(std::move(column));
  }
  return columns;
}

std::vector<Column> columnsFor(const ResourceType& type) {
  return type.custom ? customColumns(type) : builtinColumns(type);
}

json partialMetadata(const json& object) {
  return {{"kind", "PartialObjectMetadata"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", object.value("metadata", json::object())}};
}

} // namespace

json tableColumns(const ResourceType& type) {
  json definitions = json::array();
  for (const auto& column : columnsFor(type)) {
    definitions.push_back({{"name", column.name},
                           {"type", column.type},
                           {"format", column.format},
                           {"description", column.description},
                           {"priority", column.priority}});
  }
  return definitions;
}

namespace {

json rowFor(const std::vector<Column>& columns, const json& object,
            const std::string& includeObject) {
  json cells = json::array();
  for (const auto& column : columns)
    cells.push_back(column.cell(object));
  json row = {{"cells", cells}};
  if (includeObject == "Object")
    row["object"] = object;
  else if (includeObject != "None")
    row["object"] = partialMetadata(object);
  return row;
}

} // namespace

json tableRow(const ResourceType& type, const json& object, const std::string& includeObject) {
  return rowFor(columnsFor(type), object, includeObject);
}

json makeTable(const ResourceType& type, const std::vector<json>& objects, json listMetadata,
               const std::string& includeObject, bool withColumns) {
  // Columns are built once per table: custom columns compile their JSONPath.
  const auto columns = columnsFor(type);
  json rows = json::array();
  for (const auto& object : objects)
    rows.push_back(rowFor(columns, object, includeObject));
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", std::move(listMetadata)},
          {"columnDefinitions", withColumns ? tableColumns(type) : json::array()},
          {"rows", std::move(rows)}};
}

bool acceptsTable(const std::string& accept) {
  return accept.find("as=Table") != std::string::npos &&
         accept.find("g=meta.k8s.io") != std::string::npos;
}

} // namespace harborrobot::kubesim
