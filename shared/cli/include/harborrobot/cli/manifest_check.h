// `kubectl harborrobot validate`: binding and connection manifests checked
// offline by the same parsers the hub runs, for CI and GitOps repositories.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/core/error.h"

namespace harborrobot::cli {

struct ManifestProblem {
  std::string where; // "file: document 2 (HarborRobotBinding team-pull)"
  Error error;
};

struct ManifestTally {
  int bindings = 0;
  int connections = 0;
  int skipped = 0; // objects that are neither
  std::vector<ManifestProblem> problems{};
  // "2 binding(s) and 1 connection Secret(s) checked, 0 other object(s)
  // skipped: 0 error(s)"
  std::string summary() const;
};

// Checks every document of one file's text (a v1 List's items one by one),
// adding to `tally`. Text that is not YAML is one problem naming the file.
void checkManifestText(const std::string& file, std::string_view text, ManifestTally& tally);

} // namespace harborrobot::cli
