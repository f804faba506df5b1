// Strategic merge patch, JSON merge patch and JSON patch as the simulator
// applies them.
#include <gtest/gtest.h>

#include "patch.h"

namespace harborrobot::kubesim {
namespace {

using nlohmann::json;

TEST(StrategicMergePatch, ServiceAccountImagePullSecretsAreReplacedButSecretsMerge) {
  const json account = {{"secrets", {{{"name", "s1"}}}},
                        {"imagePullSecrets", {{{"name", "a"}}, {{"name", "b"}}}}};
  auto patched = applyStrategicMergePatch(
      "ServiceAccount", account,
      {{"secrets", {{{"name", "s2"}}}}, {"imagePullSecrets", {{{"name", "c"}}}}});
  ASSERT_TRUE(patched) << patched.error().status.dump();
  EXPECT_EQ((*patched)["secrets"], json::parse(R"([{"name":"s1"},{"name":"s2"}])"));
  EXPECT_EQ((*patched)["imagePullSecrets"], json::parse(R"([{"name":"c"}])"));
}

TEST(StrategicMergePatch, ContainersMergeByNameAndDeleteDirectiveRemovesOne) {
  const json pod = json::parse(R"({"spec":{"containers":[
      {"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}})");
  auto patched = applyStrategicMergePatch("Pod", pod, json::parse(R"({"spec":{"containers":[
      {"name":"a","image":"a:2"},{"name":"b","$patch":"delete"},{"name":"c","image":"c:1"}]}})"));
  ASSERT_TRUE(patched);
  EXPECT_EQ((*patched)["spec"]["containers"], json::parse(R"([
      {"name":"a","image":"a:2"},{"name":"c","image":"c:1"}])"));
}

TEST(StrategicMergePatch, ReplaceDirectiveAndRetainKeysAndPrimitiveDeletes) {
  const json object = json::parse(
      R"({"metadata":{"finalizers":["x","y"],"labels":{"a":"1","b":"2"}},"spec":{"p":1,"q":2}})");
  auto patched = applyStrategicMergePatch("ConfigMap", object, json::parse(R"({
      "metadata":{"$deleteFromPrimitiveList/finalizers":["x"],"labels":{"$patch":"replace","c":"3"}},
      "spec":{"$retainKeys":["q"],"q":5}})"));
  ASSERT_TRUE(patched) << patched.error().status.dump();
  EXPECT_EQ((*patched)["metadata"]["finalizers"], json::parse(R"(["y"])"));
  EXPECT_EQ((*patched)["metadata"]["labels"], json::parse(R"({"c":"3"})"));
  EXPECT_EQ((*patched)["spec"], json::parse(R"({"q":5})"));
}

TEST(StrategicMergePatch, MissingMergeKeyIsABadRequest) {
  auto patched =
      applyStrategicMergePatch("Pod", json::parse(R"({"spec":{"containers":[]}})"),
                               json::parse(R"({"spec":{"containers":[{"image":"x"}]}})"));
  ASSERT_FALSE(patched);
  EXPECT_EQ(patched.error().code, 400);
  EXPECT_NE(patched.error().status["message"].get<std::string>().find("merge key: name"),
            std::string::npos);
}

TEST(MergePatch, NullDeletesAndListsAreReplaced) {
  auto patched = applyMergePatch(json::parse(R"({"a":1,"b":[1,2],"c":{"d":1}})"),
                                 json::parse(R"({"a":null,"b":[3],"c":{"e":2}})"));
  ASSERT_TRUE(patched);
  EXPECT_EQ(*patched, json::parse(R"({"b":[3],"c":{"d":1,"e":2}})"));
  EXPECT_EQ(applyMergePatch(json::object(), json::array()).error().code, 400);
}

TEST(JsonPatch, FailedTestIsUnprocessableAndChangesNothing) {
  const json object = json::parse(R"({"metadata":{"resourceVersion":"7"}})");
  auto patched = applyJsonPatch(object, json::parse(R"([
      {"op":"test","path":"/metadata/resourceVersion","value":"6"},
      {"op":"add","path":"/x","value":1}])"));
  ASSERT_FALSE(patched);
  EXPECT_EQ(patched.error().code, 422);
  auto applied = applyJsonPatch(object, json::parse(R"([
      {"op":"test","path":"/metadata/resourceVersion","value":"7"},
      {"op":"add","path":"/x","value":1}])"));
  ASSERT_TRUE(applied);
  EXPECT_EQ((*applied)["x"], 1);
}

} // namespace
} // namespace harborrobot::kubesim
