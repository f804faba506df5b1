// The agent's writes: Secrets created, replaced only when their content
// changes and never when they are not ours; ServiceAccounts' imagePullSecrets
// edited in place. The pure parts by table, the writes against the in-process
// API server.
#include "harborrobot/namespaceagent/pull_secrets.h"

#include <gtest/gtest.h>

#include "mocks/kube_api_server.h"

namespace harborrobot::namespaceagent {
namespace {

using nlohmann::json;

const std::string kNamespace = "team-a";

GeneratedSecret generated(std::int64_t generation) {
  return {"harbor-pull",
          "team-pull",
          {"https://harbor.example.com", "robot$team+pull-" + std::to_string(generation),
           SecretString("s3cret")},
          generation,
          "spec-abc",
          "pull-" + std::to_string(generation),
          std::chrono::system_clock::time_point(std::chrono::hours(500000))};
}

std::size_t secretWrites(const testing::KubeApiServer& apiserver) {
  std::size_t count = 0;
  for (const auto& request : apiserver.requests()) {
    count += request.method != "GET" && request.path.find("/secrets") != std::string::npos;
  }
  return count;
}

TEST(SecretUpToDate, ComparesDataAndAnnotationsOnly) {
  const json desired = buildSecret(kNamespace, generated(1));
  json current = desired;
  current["metadata"]["resourceVersion"] = "7";
  EXPECT_TRUE(secretUpToDate(current, desired));
  current["metadata"]["annotations"]["extra"] = "x";
  EXPECT_FALSE(secretUpToDate(current, desired));
  EXPECT_FALSE(secretUpToDate(desired, buildSecret(kNamespace, generated(2))));
}

TEST(ApplyImagePullSecrets, EditsTheListAndDropsItWhenEmpty) {
  json account = {{"metadata", {{"name", "default"}}},
                  {"imagePullSecrets", {{{"name", "theirs"}}, {{"name", "old-ours"}}}}};
  EXPECT_TRUE(applyImagePullSecrets(account, {"harbor-pull"}, {"old-ours", "harbor-pull"}));
  EXPECT_EQ(account["imagePullSecrets"],
            json::parse(R"([{"name":"theirs"},{"name":"harbor-pull"}])"));
  EXPECT_FALSE(applyImagePullSecrets(account, {"harbor-pull"}, {"harbor-pull"}));

  json ours = {{"imagePullSecrets", {{{"name", "harbor-pull"}}}}};
  EXPECT_TRUE(applyImagePullSecrets(ours, {}, {"harbor-pull"}));
  EXPECT_FALSE(ours.contains("imagePullSecrets"));

  json junk = {{"imagePullSecrets", "not a list"}};
  EXPECT_TRUE(applyImagePullSecrets(junk, {"harbor-pull"}, {}));
  EXPECT_EQ(junk["imagePullSecrets"], json::parse(R"([{"name":"harbor-pull"}])"));
}

TEST(WriteSecret, CreatesThenReplacesOnlyWhenTheContentChanges) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  auto& client = apiserver.admin();
  auto created = writeSecret(client, kNamespace, generated(1), std::nullopt);
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_TRUE(*created);
  auto current = apiserver.stored(kube::resources::secrets(), kNamespace, "harbor-pull");
  ASSERT_TRUE(current);

  const auto before = secretWrites(apiserver);
  auto same = writeSecret(client, kNamespace, generated(1), current);
  ASSERT_TRUE(same);
  EXPECT_FALSE(*same);
  EXPECT_EQ(secretWrites(apiserver), before);

  auto replaced = writeSecret(client, kNamespace, generated(2), current);
  ASSERT_TRUE(replaced) << replaced.error().message();
  EXPECT_TRUE(*replaced);
  const auto stored = apiserver.stored(kube::resources::secrets(), kNamespace, "harbor-pull");
  EXPECT_EQ((*stored)["data"], buildSecret(kNamespace, generated(2))["data"]);

  // Judged on the old version: the write is conditional, so it conflicts.
  auto stale = writeSecret(client, kNamespace, generated(3), current);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code(), ErrorCode::kConflict);
}

TEST(WriteSecret, NeverOverwritesASecretThatIsNotOurs) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  const json theirs = {{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata", {{"name", "harbor-pull"}, {"namespace", kNamespace}}},
                       {"data", {{"x", "eA=="}}}};
  auto written = writeSecret(apiserver.admin(), kNamespace, generated(1), theirs);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(written.error().message(),
            "secret harbor-pull exists and is not managed by harborrobot");
}

TEST(RemoveSecret, DeletesOnlyOurs) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  auto& client = apiserver.admin();
  ASSERT_TRUE(writeSecret(client, kNamespace, generated(1), std::nullopt));
  const auto ours = *apiserver.stored(kube::resources::secrets(), kNamespace, "harbor-pull");
  ASSERT_TRUE(removeSecret(client, kNamespace, ours, "another-binding"));
  EXPECT_TRUE(apiserver.stored(kube::resources::secrets(), kNamespace, "harbor-pull"));
  ASSERT_TRUE(removeSecret(client, kNamespace, ours, "team-pull"));
  EXPECT_FALSE(apiserver.stored(kube::resources::secrets(), kNamespace, "harbor-pull"));
}

TEST(SyncServiceAccount, WritesOnlyAChange) {
  testing::KubeApiServer apiserver({.namespaces = {kNamespace}});
  auto& client = apiserver.admin();
  ASSERT_TRUE(client.create(kube::resources::serviceAccounts(), kNamespace,
                            {{"apiVersion", "v1"},
                             {"kind", "ServiceAccount"},
                             {"metadata", {{"name", "builder"}}},
                             {"imagePullSecrets", {{{"name", "theirs"}}}}}));
  auto changed =
      syncServiceAccount(client, kNamespace, "builder", {"harbor-pull"}, {"harbor-pull"});
  ASSERT_TRUE(changed) << changed.error().message();
  EXPECT_TRUE(*changed);
  const auto stored = apiserver.stored(kube::resources::serviceAccounts(), kNamespace, "builder");
  EXPECT_EQ((*stored)["imagePullSecrets"],
            json::parse(R"([{"name":"theirs"},{"name":"harbor-pull"}])"));
  auto again = syncServiceAccount(client, kNamespace, "builder", {"harbor-pull"}, {"harbor-pull"});
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  auto missing = syncServiceAccount(client, kNamespace, "nobody", {"harbor-pull"}, {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
}

} // namespace
} // namespace harborrobot::namespaceagent
