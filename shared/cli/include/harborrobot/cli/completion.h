// Shell completion. `__complete ARGS… WORD` answers with candidates one per
// line and a final ":<directive>" line, the protocol kubectl uses with plugin
// completion shims (kubectl_complete-harborrobot), so one implementation serves
// kubectl's own completion and the bash, zsh and fish scripts of `completion
// SHELL`.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/kube/resource.h"

namespace harborrobot::cli {

// The names of the objects of a type in the cluster (bindings, namespaces);
// empty when the cluster cannot be asked: completion then offers nothing.
using ClusterNames = std::function<std::vector<std::string>(const kube::ResourceType& type)>;

// The answer for `words`, the command line so far with the word being
// completed last, over the command tree `root`.
std::string completionAnswer(const CLI::App& root, const std::vector<std::string>& words,
                             const ClusterNames& names);

// Launched as kubectl_complete-harborrobot (the name kubectl looks for, a
// symlink or the shim), the binary answers kubectl's completion request.
bool launchedAsCompletionShim(std::string_view argv0);

// The script `completion SHELL` prints: bash, zsh or fish (else empty).
std::string_view completionScript(std::string_view shell);

} // namespace harborrobot::cli
