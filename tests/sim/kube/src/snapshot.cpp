#include "snapshot.h"

#include <fstream>

#include "crd_schema.h"

namespace harborrobot::kubesim {

using nlohmann::json;

tl::expected<void, std::string> loadSnapshot(const std::filesystem::path& file, ObjectStore& store,
                                             TypeRegistry& registry) {
  if (!std::filesystem::exists(file))
    return {};
  std::ifstream in(file);
  const json document = json::parse(in, nullptr, false);
  if (document.is_discarded() || !document.is_object() || !document.contains("objects") ||
      !document["objects"].is_array() || !document.contains("revision") ||
      !document["revision"].is_number_unsigned()) {
    return tl::unexpected(file.string() +
                          ": not a simulator snapshot (expected {\"revision\": N, \"objects\": "
                          "[{\"storageKey\": ..., \"object\": ...}]})");
  }
  std::vector<std::pair<std::string, json>> objects;
  for (std::size_t i = 0; i < document["objects"].size(); ++i) {
    const json& entry = document["objects"][i];
    if (!entry.is_object() || !entry.contains("storageKey") || !entry["storageKey"].is_string() ||
        !entry.contains("object") || !entry["object"].is_object() ||
        !entry["object"].contains("metadata") || !entry["object"]["metadata"].is_object()) {
      return tl::unexpected(file.string() + ": objects[" + std::to_string(i) +
                            "] is not {\"storageKey\": string, \"object\": {\"metadata\": ...}}");
    }
    objects.emplace_back(entry["storageKey"], entry["object"]);
  }
  store.restore(objects, document["revision"].get<std::uint64_t>());
  for (const auto& [storageKey, object] : objects) {
    if (storageKey == "apiextensions.k8s.io/customresourcedefinitions" &&
        validateCrd(object).empty())
      registry.setCustomTypes(object["metadata"].value("name", ""), typesFromCrd(object));
  }
  return {};
}

tl::expected<void, std::string> saveSnapshot(const std::filesystem::path& file,
                                             const ObjectStore& store) {
  json objects = json::array();
  for (auto& [storageKey, object] : store.dump())
    objects.push_back({{"storageKey", storageKey}, {"object", std::move(object)}});
  const json document = {{"revision", store.revision()}, {"objects", std::move(objects)}};
  const auto temporary = std::filesystem::path(file.string() + ".tmp");
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << document.dump(-1, ' ', false, json::error_handler_t::replace);
    if (!out.flush())
      return tl::unexpected("cannot write " + temporary.string());
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error)
    return tl::unexpected("cannot replace " + file.string() + ": " + error.message());
  return {};
}

} // namespace harborrobot::kubesim
