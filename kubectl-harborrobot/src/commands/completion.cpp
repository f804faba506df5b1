// Shell completion. `__complete ARGS… WORD` prints candidates one per line and a
// final ":<directive>" line, the protocol kubectl uses with plugin completion
// shims (kubectl_complete-harborrobot), so one implementation serves kubectl's own
// completion and the bash, zsh and fish scripts of `completion SHELL`. Binding
// and namespace names come from the cluster; a failure there just completes
// nothing.
#include <cstdio>
#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "commands.h"

#include "harborrobot/util/json_text.h"

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

std::vector<std::string> namesOf(Session& session, const kube::ResourceType& type) {
  std::vector<std::string> names;
  auto client = session.client();
  if (!client) {
    return names;
  }
  auto list = (*client)->list(type, "");
  if (!list) {
    return names;
  }
  for (const auto& item : list->value("items", kube::Json::array())) {
    names.push_back(stringField(objectField(item, "metadata"), "name"));
  }
  return names;
}

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

int completeWords(const CLI::App& root, Session& session, const std::vector<std::string>& words) {
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
    candidates = namesOf(session, kube::resources::namespaces());
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
    candidates = namesOf(session, kube::resources::harborRobotBindings());
  } else if (command->get_name() == "completion") {
    candidates = {"bash", "zsh", "fish"};
  }
  for (const auto& candidate : candidates) {
    if (candidate.starts_with(current)) {
      std::printf("%s\n", candidate.c_str());
    }
  }
  std::printf(":%d\n", directive);
  return 0;
}

void registerCompletionCommands(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  auto* completion =
      app.add_subcommand("completion", "Print a completion script: bash, zsh or fish");
  completion->group("Other Commands");
  completion->add_option("shell", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->callback([shell] {
    std::fputs(std::string(*shell == "bash"  ? kBashScript
                           : *shell == "zsh" ? kZshScript
                                             : kFishScript)
                   .c_str(),
               stdout);
  });
}

} // namespace harborrobot::cli
