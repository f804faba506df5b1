#include <gtest/gtest.h>

#include "harborrobot/cli/checklist.h"

namespace harborrobot::cli {
namespace {

TEST(Checklist, OneLinePerCheckAndTheFixOnAProblem) {
  std::string out;
  Checklist checks(
      [](std::string_view text, std::string_view ansi) {
        return std::string(ansi) + ":" + std::string(text);
      },
      [&](std::string_view line) { out += line; });
  checks.ok("hub", "2 replica(s) available");
  EXPECT_EQ(checks.verdict(), "No problems found.");
  checks.warn("agent team-a", "no harborrobot-agent Deployment (external agents?)");
  checks.fail("connection harbor", "HarborUnreachable: https://h: timed out", "correct the URL");
  checks.fail("binding team", "not Ready", "kubectl harborrobot status team");
  EXPECT_EQ(out, "[32:OK  ] hub: 2 replica(s) available\n"
                 "[33:WARN] agent team-a: no harborrobot-agent Deployment (external agents?)\n"
                 "[31:FAIL] connection harbor: HarborUnreachable: https://h: timed out\n"
                 "       fix: correct the URL\n"
                 "[31:FAIL] binding team: not Ready\n"
                 "       fix: kubectl harborrobot status team\n");
  EXPECT_EQ(checks.failures(), 2);
  EXPECT_EQ(checks.verdict(), "2 problem(s) found.");
}

} // namespace
} // namespace harborrobot::cli
