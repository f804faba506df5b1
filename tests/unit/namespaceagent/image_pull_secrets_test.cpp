// The ServiceAccount imagePullSecrets merge: others' entries keep their place,
// ours no longer wanted go, the wanted ones follow in order, each name once.
#include "harborrobot/namespaceagent/image_pull_secrets.h"

#include <gtest/gtest.h>

namespace harborrobot::namespaceagent {
namespace {

using nlohmann::json;

TEST(MergeImagePullSecrets, OthersKeepTheirPlaceOursUnwantedGoWantedFollowInOrder) {
  const json current = json::parse(R"([
    {"name": "registry-creds"},
    {"name": "old-pull"},
    {"name": "harbor-pull"},
    {"name": "helm-pull", "note": "kept as it is"}
  ])");
  EXPECT_EQ(mergeImagePullSecrets(current, {"harbor-pull", "harbor-pull.alias"},
                                  {"old-pull", "harbor-pull"}),
            json::parse(R"([
              {"name": "registry-creds"},
              {"name": "helm-pull", "note": "kept as it is"},
              {"name": "harbor-pull"},
              {"name": "harbor-pull.alias"}
            ])"));
}

TEST(MergeImagePullSecrets, AListAlreadyInLineComesBackEqual) {
  const json current = json::parse(R"([{"name": "registry-creds"}, {"name": "harbor-pull"}])");
  EXPECT_EQ(mergeImagePullSecrets(current, {"harbor-pull"}, {"harbor-pull"}), current);
}

TEST(MergeImagePullSecrets, AWantedNameAnywhereMovesBehindTheOthersAsABareEntry) {
  // Not one of ours (say, listed by hand before we made it): still ours to place.
  const json current =
      json::parse(R"([{"name": "harbor-pull", "note": "by hand"}, {"name": "registry-creds"}])");
  EXPECT_EQ(mergeImagePullSecrets(current, {"harbor-pull"}, {}),
            json::parse(R"([{"name": "registry-creds"}, {"name": "harbor-pull"}])"));
}

TEST(MergeImagePullSecrets, EachNameComesOnceTheFirstEntryOfIt) {
  const json current = json::parse(R"([
    {"name": "a", "first": true}, {"name": "harbor-pull"}, {"name": "a"}, {"name": "harbor-pull"}
  ])");
  EXPECT_EQ(mergeImagePullSecrets(current, {"harbor-pull", "harbor-pull"}, {}),
            json::parse(R"([{"name": "a", "first": true}, {"name": "harbor-pull"}])"));
}

TEST(MergeImagePullSecrets, EntriesWithoutAStringNameCountAsTheNameEmpty) {
  const json current = json::parse(R"([
    {"other": 1}, "not-an-object", {"name": 5}, {"name": ""}, {"name": "a"}
  ])");
  EXPECT_EQ(mergeImagePullSecrets(current, {"harbor-pull"}, {}),
            json::parse(R"([{"other": 1}, {"name": "a"}, {"name": "harbor-pull"}])"));
  EXPECT_EQ(mergeImagePullSecrets(current, {}, {""}), json::parse(R"([{"name": "a"}])"));
}

TEST(MergeImagePullSecrets, ANonArrayListCountsAsEmpty) {
  for (const json& current : {json(), json("harbor-pull"), json::object({{"name", "x"}})}) {
    EXPECT_EQ(mergeImagePullSecrets(current, {"harbor-pull", "harbor-pull.alias"}, {}),
              json::parse(R"([{"name": "harbor-pull"}, {"name": "harbor-pull.alias"}])"))
        << current.dump();
  }
}

TEST(MergeImagePullSecrets, NothingWantedAndOnlyOursLeavesAnEmptyArray) {
  const json current = json::parse(R"([{"name": "harbor-pull"}, {"name": "harbor-pull.alias"}])");
  const json merged = mergeImagePullSecrets(current, {}, {"harbor-pull", "harbor-pull.alias"});
  EXPECT_TRUE(merged.is_array());
  EXPECT_EQ(merged, json::array());
}

} // namespace
} // namespace harborrobot::namespaceagent
