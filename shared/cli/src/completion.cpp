#include "harborrobot/cli/completion.h"

#include <fmt/format.h>

namespace harborrobot::cli {

namespace {

// cobra's ShellCompDirective values.
constexpr int kNoFileCompletion = 4;
constexpr int kDefaultCompletion = 0;

constexpr std::string_view kBashScript = R"script(# bash completion for kubectl-harborrobot
_kubectl_harborrobot() {
  local cur="${COMP_WORDS[COMP_CWORD]}" out directive
  out=$(kubectl-harborrobot __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return
  directive=${out##*:}
  out=$(printf '%s\n' "$out" | sed '$d')
  COMPREPLY=($(compgen -W "$out" -- "$cur"))
  if [[ ${#COMPREPLY[@]} -eq 0 && $directive -eq 0 ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _kubectl_harborrobot kubectl-harborrobot
)script";

constexpr std::string_view kZshScript = R"script(#compdef kubectl-harborrobot
# zsh completion for kubectl-harborrobot
_kubectl_harborrobot() {
  local -a candidates
  local out directive
  out=$(kubectl-harborrobot __complete "${(@)words[2,CURRENT]}" 2>/dev/null) || return
  directive=${out##*:}
  candidates=(${(f)"$(print -r -- "$out" | sed '$d')"})
  if (( ${#candidates} )); then
    compadd -- "${candidates[@]}"
  elif [[ $directive == 0 ]]; then
    _files
  fi
}
compdef _kubectl_harborrobot kubectl-harborrobot
)script";

constexpr std::string_view kFishScript = R"script(# fish completion for kubectl-harborrobot
function __kubectl_harborrobot_complete
  set -l args (commandline -opc)[2..-1] (commandline -ct)
  kubectl-harborrobot __complete $args 2>/dev/null | sed '$d'
end
complete -c kubectl-harborrobot -f -a '(__kubectl_harborrobot_complete)'
)script";

const CLI::App* findSubcommand(const CLI::App& root, std::string_view name) {
  for (const auto* sub : root.get_subcommands({})) {
    if (sub->get_name() == name) {
      return sub;
    }
  }
  return nullptr;
}

void addFlags(const CLI::App& app, std::vector<std::string>& out) {
  for (const auto* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) {
      out.push_back("--" + name);
    }
    for (const auto& name : option->get_snames()) {
      out.push_back("-" + name);
    }
  }
}

} // namespace

std::string completionAnswer(const CLI::App& root, const std::vector<std::string>& words,
                             const ClusterNames& names) {
  const std::string current = words.empty() ? "" : words.back();
  const std::string previous = words.size() >= 2 ? words[words.size() - 2] : "";
  const CLI::App* command = nullptr;
  std::size_t positionals = 0;
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const auto& word = words[i];
    if (word.starts_with("-")) {
      continue;
    }
    if (i > 0 && words[i - 1].starts_with("-") && words[i - 1].find('=') == std::string::npos &&
        words[i - 1] != "--all" && words[i - 1] != "--wait" && words[i - 1] != "--dry-run") {
      continue; // the value of a flag
    }
    if (command == nullptr) {
      command = findSubcommand(root, word);
    } else {
      ++positionals;
    }
  }
  std::vector<std::string> candidates;
  int directive = kNoFileCompletion;
  if (previous == "-n" || previous == "--namespace" || previous == "--namespaces") {
    candidates = names(kube::resources::namespaces());
  } else if (previous == "-o" || previous == "--output") {
    candidates = {"yaml", "json"};
  } else if (previous == "--agents") {
    candidates = {"managed", "external"};
  } else if (previous == "--color") {
    candidates = {"auto", "always", "never"};
  } else if (previous == "-f" || previous == "--filename" || previous == "--kubeconfig" ||
             previous == "--ca-file") {
    directive = kDefaultCompletion;
  } else if (current.starts_with("-")) {
    addFlags(command != nullptr ? *command : root, candidates);
    if (command != nullptr) {
      addFlags(root, candidates);
    }
  } else if (command == nullptr) {
    for (const auto* sub : root.get_subcommands({})) {
      if (!sub->get_group().empty()) {
        candidates.push_back(sub->get_name());
      }
    }
  } else if (positionals == 0 &&
             (command->get_name() == "status" || command->get_name() == "rotate" ||
              command->get_name() == "doctor" || command->get_name() == "bind")) {
    candidates = names(kube::resources::harborRobotBindings());
  } else if (command->get_name() == "completion") {
    candidates = {"bash", "zsh", "fish"};
  }
  std::string answer;
  for (const auto& candidate : candidates) {
    if (candidate.starts_with(current)) {
      answer += candidate + "\n";
    }
  }
  return answer + fmt::format(":{}\n", directive);
}

bool launchedAsCompletionShim(std::string_view argv0) {
  const auto slash = argv0.rfind('/');
  return argv0.substr(slash == std::string_view::npos ? 0 : slash + 1) ==
         "kubectl_complete-harborrobot";
}

std::string_view completionScript(std::string_view shell) {
  return shell == "bash"   ? kBashScript
         : shell == "zsh"  ? kZshScript
         : shell == "fish" ? kFishScript
                           : std::string_view();
}

} // namespace harborrobot::cli
