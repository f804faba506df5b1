#include "harborrobot/cli/manifest_check.h"

#include <fmt/format.h>

#include "harborrobot/model/binding.h"
#include "harborrobot/model/connection.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/yaml_json.h"

namespace harborrobot::cli {

namespace {

void checkDocument(const std::string& where, const nlohmann::json& document, ManifestTally& tally) {
  const std::string kind = stringField(document, "kind");
  const auto metadata = objectField(document, "metadata");
  const std::string label = fmt::format("{} ({} {})", where, kind.empty() ? "<no kind>" : kind,
                                        stringField(metadata, "name", "<no name>"));
  if (kind == kBindingKind) {
    ++tally.bindings;
    if (auto parsed = parseBinding(document); !parsed) {
      tally.problems.push_back({label, parsed.error()});
    }
    return;
  }
  // Only Secrets labelled as connections are the hub's to read.
  const bool connection =
      kind == "Secret" && stringField(objectField(metadata, "labels"), kConnectionLabel) == "true";
  if (connection) {
    ++tally.connections;
    if (auto parsed = parseConnectionSecret(document); !parsed) {
      tally.problems.push_back({label, parsed.error()});
    }
    return;
  }
  ++tally.skipped;
}

} // namespace

std::string ManifestTally::summary() const {
  return fmt::format("{} binding(s) and {} connection Secret(s) checked, {} other object(s) "
                     "skipped: {} error(s)",
                     bindings, connections, skipped, problems.size());
}

void checkManifestText(const std::string& file, std::string_view text, ManifestTally& tally) {
  auto documents = yamlDocumentsToJson(text);
  if (!documents) {
    tally.problems.push_back({file, documents.error()});
    return;
  }
  for (std::size_t i = 0; i < documents->size(); ++i) {
    const auto& document = (*documents)[i];
    const std::string where = fmt::format("{}: document {}", file, i + 1);
    if (stringField(document, "kind") == "List") {
      const auto items = document.value("items", nlohmann::json::array());
      for (std::size_t j = 0; j < items.size(); ++j) {
        checkDocument(fmt::format("{} item {}", where, j + 1), items[j], tally);
      }
    } else {
      checkDocument(where, document, tally);
    }
  }
}

} // namespace harborrobot::cli
