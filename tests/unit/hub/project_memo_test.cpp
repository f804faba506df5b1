// The project sync's memory: an invalid name reported once while it lasts, a
// project ensured once per connection.
#include "harborrobot/hub/project_memo.h"

#include <gtest/gtest.h>

namespace harborrobot::hub {
namespace {

TEST(ProjectMemo, AnInvalidNameIsNewsOnceWhileItLasts) {
  ProjectMemo memo;
  EXPECT_TRUE(memo.noteInvalid("team-a", "harbor", "Bad_Name"));
  EXPECT_FALSE(memo.noteInvalid("team-a", "harbor", "Bad_Name"));
  EXPECT_TRUE(memo.noteInvalid("team-a", "harbor", "Other_Bad"));
  EXPECT_TRUE(memo.noteInvalid("team-a", "other-harbor", "Other_Bad"));
  // Valid in between: the same invalid name is news again.
  memo.noteValid("team-a", "harbor", "uid-1", "team-a");
  EXPECT_TRUE(memo.noteInvalid("team-a", "harbor", "Other_Bad"));
}

TEST(ProjectMemo, AProjectIsEnsuredOncePerConnection) {
  ProjectMemo memo;
  EXPECT_TRUE(memo.noteValid("team-a", "harbor", "uid-1", "shared"));
  EXPECT_TRUE(memo.noteValid("team-b", "harbor", "uid-1", "shared")); // not ensured yet
  memo.noteEnsured("uid-1", "shared");
  EXPECT_FALSE(memo.noteValid("team-c", "harbor", "uid-1", "shared"));
  EXPECT_TRUE(memo.noteValid("team-c", "harbor2", "uid-2", "shared")); // another Harbor
}

TEST(ProjectInputsChanged, OnlyLabelsAndAnnotationsCount) {
  const nlohmann::json before = {
      {"metadata", {{"name", "team-a"}, {"labels", {{"project", "a"}}}, {"resourceVersion", "1"}}}};
  nlohmann::json after = before;
  after["metadata"]["resourceVersion"] = "2";
  after["status"] = {{"phase", "Active"}};
  EXPECT_FALSE(projectInputsChanged(before, after));
  after["metadata"]["labels"]["project"] = "b";
  EXPECT_TRUE(projectInputsChanged(before, after));
  nlohmann::json annotated = before;
  annotated["metadata"]["annotations"] = {{"harbor/project", "x"}};
  EXPECT_TRUE(projectInputsChanged(before, annotated));
}

} // namespace
} // namespace harborrobot::hub
