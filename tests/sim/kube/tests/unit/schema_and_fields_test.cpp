// CRD schema pruning, defaulting and validation; field ownership; field
// selectors; request paths.
#include <gtest/gtest.h>

#include "crd_schema.h"
#include "field_selector.h"
#include "managed_fields.h"
#include "request_target.h"

namespace harborrobot::kubesim {
namespace {

using nlohmann::json;

const json kSchema = json::parse(R"({"type":"object","properties":{
  "spec":{"type":"object","required":["name"],"properties":{
    "name":{"type":"string","minLength":1},
    "every":{"type":"string","default":"6h"},
    "count":{"type":"integer","minimum":1,"maximum":10},
    "mode":{"type":"string","enum":["a","b"]},
    "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}})");

TEST(CrdSchema, PrunesUnknownFieldsAndFillsDefaults) {
  json object = json::parse(
      R"({"apiVersion":"x/v1","kind":"K","metadata":{"name":"n"},"extra":1,
          "spec":{"name":"a","bogus":true,"free":{"anything":[1]}}})");
  std::vector<std::string> unknown;
  defaultAndPrune(kSchema, object, unknown);
  EXPECT_EQ(unknown, (std::vector<std::string>{"extra", "spec.bogus"}));
  EXPECT_EQ(object["spec"]["every"], "6h");
  EXPECT_EQ(object["spec"]["free"]["anything"], json::parse("[1]"));
  EXPECT_FALSE(object.contains("extra"));
}

// apiextensions-apiserver schema/defaulting/prunenulls.go: a null in a field
// that is not nullable is pruned before defaulting, not refused.
TEST(CrdSchema, PrunesNullsInNonNullableFieldsThenDefaults) {
  const json schema = json::parse(R"({"type":"object","properties":{
    "spec":{"type":"object","properties":{
      "every":{"type":"string","default":"6h"},
      "count":{"type":"integer"},
      "note":{"type":"string","nullable":true},
      "labels":{"type":"object","additionalProperties":{"type":"string"}}}},
    "status":{"type":"object"}}})");
  json object = json::parse(R"({"spec":{"every":null,"count":null,"note":null,
                                          "labels":{"a":null,"b":"x"}},"status":null})");
  std::vector<std::string> unknown;
  defaultAndPrune(schema, object, unknown);
  EXPECT_TRUE(unknown.empty());
  EXPECT_EQ(object, json::parse(R"({"spec":{"every":"6h","note":null,"labels":{"b":"x"}}})"));
  EXPECT_TRUE(validateAgainstSchema(schema, object).empty());
}

TEST(CrdSchema, ValidationNamesFieldValueAndExpectation) {
  const json object = json::parse(R"({"spec":{"count":11,"mode":"c","every":5}})");
  auto causes = validateAgainstSchema(kSchema, object);
  ASSERT_EQ(causes.size(), 4u);
  std::map<std::string, std::string> byField;
  for (const auto& cause : causes)
    byField[cause.field] = cause.message;
  EXPECT_EQ(byField["spec.name"], "Required value");
  EXPECT_EQ(byField["spec.count"],
            "Invalid value: 11: spec.count in body should be less than or equal to 10");
  EXPECT_EQ(byField["spec.mode"], "Unsupported value: \"c\": supported values: \"a\", \"b\"");
  EXPECT_EQ(byField["spec.every"],
            "Invalid value: \"integer\": spec.every in body must be of type string: \"integer\"");
}

TEST(CrdSchema, CrdChecksNameStorageVersionAndStructure) {
  const json crd = json::parse(R"({"metadata":{"name":"wrong"},"spec":{"group":"g.io",
      "scope":"Cluster","names":{"plural":"ks","kind":"K"},
      "versions":[{"name":"v1","served":true,"storage":false,
                   "schema":{"openAPIV3Schema":{"type":"object","properties":{"a":{}}}}}]}})");
  std::set<std::string> fields;
  for (const auto& cause : validateCrd(crd))
    fields.insert(cause.field);
  EXPECT_TRUE(fields.contains("metadata.name"));
  EXPECT_TRUE(fields.contains("spec.versions"));
  EXPECT_TRUE(fields.contains("spec.versions[0].schema.openAPIV3Schema.properties[a].type"));
}

TEST(ManagedFields, ApplyConflictsWithAnotherManagerUnlessForced) {
  json live = json::parse(R"({"metadata":{"name":"x"},"spec":{"a":1}})");
  auto first = serverSideApply(nullptr, live, "one", false, "v1", "t");
  ASSERT_TRUE(first);
  const json change = json::parse(R"({"metadata":{"name":"x"},"spec":{"a":2}})");
  auto refused = serverSideApply(*first, change, "two", false, "v1", "t");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, 409);
  EXPECT_EQ(refused.error().status["details"]["causes"][0]["field"], ".spec.a");
  auto forced = serverSideApply(*first, change, "two", true, "v1", "t");
  ASSERT_TRUE(forced);
  EXPECT_EQ((*forced)["spec"]["a"], 2);
  // "one" no longer owns spec.a, so dropping it from one's config keeps it.
  auto reapplied = serverSideApply(*forced, json::parse(R"({"metadata":{"name":"x"}})"), "one",
                                   false, "v1", "t");
  ASSERT_TRUE(reapplied);
  EXPECT_EQ((*reapplied)["spec"]["a"], 2);
}

TEST(ManagedFields, ReapplyWithoutAFieldRemovesIt) {
  auto first = serverSideApply(nullptr, json::parse(R"({"metadata":{},"spec":{"a":1,"b":2}})"),
                               "one", false, "v1", "t");
  ASSERT_TRUE(first);
  auto second = serverSideApply(*first, json::parse(R"({"metadata":{},"spec":{"a":1}})"), "one",
                                false, "v1", "t");
  ASSERT_TRUE(second);
  EXPECT_FALSE((*second)["spec"].contains("b"));
  EXPECT_EQ(toFieldsV1(fieldsOf(*second)), json::parse(R"({"f:spec":{"f:a":{}}})"));
}

TEST(FieldSelector, ParsesOperatorsAndRejectsUnknownFields) {
  auto selector = FieldSelector::parse("metadata.name=a,type!=Opaque", {"type"});
  ASSERT_TRUE(selector);
  EXPECT_TRUE(selector->matches(json::parse(R"({"metadata":{"name":"a"},"type":"x"})")));
  EXPECT_FALSE(selector->matches(json::parse(R"({"metadata":{"name":"a"},"type":"Opaque"})")));
  auto unknown = FieldSelector::parse("spec.x=1", {});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().status["message"],
            "\"spec.x\" is not a known field selector: only \"metadata.name\", "
            "\"metadata.namespace\"");
  EXPECT_FALSE(FieldSelector::parse("nonsense", {}));
}

TEST(RequestTarget, SplitsCoreGroupedAndNamespaceSubresourcePaths) {
  auto secret = parseResourcePath("/api/v1/namespaces/x/secrets/s");
  ASSERT_TRUE(secret);
  EXPECT_EQ(secret->namespaceName, "x");
  EXPECT_EQ(secret->resource, "secrets");
  EXPECT_EQ(secret->name, "s");
  auto status = parseResourcePath("/api/v1/namespaces/x/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->resource, "namespaces");
  EXPECT_EQ(status->name, "x");
  EXPECT_EQ(status->subresource, "status");
  auto custom = parseResourcePath("/apis/g.io/v1/things/t/status");
  ASSERT_TRUE(custom);
  EXPECT_EQ(custom->group, "g.io");
  EXPECT_EQ(custom->subresource, "status");
  EXPECT_FALSE(parseResourcePath("/apis/g.io/v1/a/b/c/d"));
  EXPECT_EQ(parseQuery("labelSelector=a+in+%28x%2Cy%29&limit=5")["labelSelector"], "a in (x,y)");
}

} // namespace
} // namespace harborrobot::kubesim
