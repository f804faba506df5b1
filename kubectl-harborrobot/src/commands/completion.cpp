// `completion SHELL` and `__complete`: the answers come from shared/cli's
// completion; this file asks the cluster for names (a failure there completes
// nothing).
#include <cstdio>
#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "commands.h"
#include "harborrobot/cli/completion.h"

#include "harborrobot/util/json_text.h"

namespace harborrobot::cli {

namespace {

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

} // namespace

int completeWords(const CLI::App& root, Session& session, const std::vector<std::string>& words) {
  std::fputs(
      completionAnswer(root, words,
                       [&](const kube::ResourceType& type) { return namesOf(session, type); })
          .c_str(),
      stdout);
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
  completion->callback(
      [shell] { std::fputs(std::string(completionScript(*shell)).c_str(), stdout); });
}

} // namespace harborrobot::cli
