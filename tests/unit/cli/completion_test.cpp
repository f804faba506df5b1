// Shell completion over a command tree shaped like the plugin's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harborrobot/cli/completion.h"

namespace harborrobot::cli {
namespace {

class Completion : public ::testing::Test {
protected:
  Completion() {
    root_.add_option("-n,--namespace", ns_);
    auto* status = root_.add_subcommand("status", "Show bindings");
    status->group("Operations Commands");
    status->add_option("name", name_);
    status->add_option("-o,--output", output_);
    root_.add_subcommand("install", "Install")->group("Setup Commands");
    root_.add_subcommand("completion", "Scripts")->group("Other Commands");
    root_.add_subcommand("__complete", "hidden")->group("");
  }

  std::string answer(const std::vector<std::string>& words) {
    return completionAnswer(root_, words, [this](const kube::ResourceType& type) {
      asked_.push_back(type.plural);
      return type.plural == "namespaces" ? std::vector<std::string>{"team-a", "team-b", "ops"}
                                         : std::vector<std::string>{"pull", "push"};
    });
  }

  CLI::App root_{"test", "kubectl harborrobot"};
  std::string ns_, name_, output_;
  std::vector<std::string> asked_;
};

TEST_F(Completion, CommandsOfAGroupOnlyAndNoFiles) {
  EXPECT_EQ(answer({""}), "status\ninstall\ncompletion\n:4\n");
  EXPECT_EQ(answer({"st"}), "status\n:4\n");
  EXPECT_TRUE(asked_.empty());
}

TEST_F(Completion, BindingNamesFromTheClusterForTheFirstArgument) {
  EXPECT_EQ(answer({"status", "pu"}), "pull\npush\n:4\n");
  EXPECT_THAT(asked_, ::testing::ElementsAre("harborrobotbindings"));
  EXPECT_EQ(answer({"status", "pull", ""}), ":4\n");
}

TEST_F(Completion, FlagValuesAndFlags) {
  EXPECT_EQ(answer({"-n", "team"}), "team-a\nteam-b\n:4\n");
  EXPECT_EQ(answer({"status", "-o", ""}), "yaml\njson\n:4\n");
  EXPECT_EQ(answer({"completion", ""}), "bash\nzsh\nfish\n:4\n");
  // The command's flags, then the global ones.
  EXPECT_EQ(answer({"status", "--o"}), "--output\n:4\n");
  EXPECT_THAT(answer({"status", "-"}), ::testing::HasSubstr("--namespace\n"));
  // A file argument leaves completion to the shell (directive 0).
  EXPECT_EQ(answer({"install", "--kubeconfig", ""}), ":0\n");
}

TEST_F(Completion, AScriptPerShell) {
  EXPECT_THAT(std::string(completionScript("bash")),
              ::testing::HasSubstr("complete -F _kubectl_harborrobot kubectl-harborrobot"));
  EXPECT_THAT(std::string(completionScript("zsh")), ::testing::StartsWith("#compdef"));
  EXPECT_THAT(std::string(completionScript("fish")), ::testing::HasSubstr("complete -c"));
  EXPECT_EQ(completionScript("tcsh"), "");
}

} // namespace
} // namespace harborrobot::cli
