#include "install_manifests.h"

#include "harborrobot/util/yaml_json.h"

namespace harborrobot::cli {

Result<std::vector<nlohmann::json>> installObjects(const InstallOptions& options) {
  std::vector<nlohmann::json> crds;
  for (const auto& [yaml, what] :
       {std::pair{embeddedCrdYaml(), "the embedded HarborRobotBinding CRD"},
        std::pair{embeddedCredentialCrdYaml(), "the embedded HarborRobotCredential CRD"}}) {
    auto crd = yamlToJson(yaml);
    if (!crd) {
      return makeError(crd.error().withContext(what));
    }
    crds.push_back(std::move(*crd));
  }
  return install::installObjects(options, std::move(crds));
}

} // namespace harborrobot::cli
