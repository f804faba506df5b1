// kubectl JSONPath: the seed's templates, kubectl's documented examples, the
// printer-column filter, and parse errors.
#include "harborrobot/jsonpath/jsonpath.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace harborrobot::jsonpath {
namespace {

using Json = nlohmann::json;

// kubectl's documentation example document.
const Json kDoc = Json::parse(R"({
  "kind": "List",
  "items": [
    {"kind": "None", "metadata": {"name": "127.0.0.1", "labels": {"kubernetes.io/hostname": "127.0.0.1"}},
     "status": {"capacity": {"cpu": "4"},
                "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.1"}]}},
    {"kind": "None", "metadata": {"name": "127.0.0.2"},
     "status": {"capacity": {"cpu": "8"},
                "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.2"},
                              {"type": "another", "address": "127.0.0.3"}]}}],
  "users": [{"name": "myself", "user": {}}, {"name": "e2e", "user": {"username": "admin", "password": "secret"}}]
})");

std::string run(std::string_view text, const Json& input = kDoc) {
  auto parsed = Template::parse(text);
  EXPECT_TRUE(parsed) << text << ": " << parsed.error().message();
  if (!parsed) {
    return "<parse error>";
  }
  auto result = parsed->execute(input, true);
  EXPECT_TRUE(result) << text << ": " << result.error().message();
  return result ? *result : "<error>";
}

TEST(JsonPath, TheSeedsProjectFieldsPaths) {
  const Json ns = Json::parse(R"({"metadata":{"name":"team-ns1",
      "labels":{"cpaas.io/inner-namespace":"team"},
      "annotations":{"goharbor.io/project":"team-1"}}})");
  EXPECT_EQ(run(R"({.metadata.labels.cpaas\.io/inner-namespace})", ns), "team");
  EXPECT_EQ(run(R"({.metadata.annotations.goharbor\.io/project})", ns), "team-1");
  EXPECT_EQ(run("{.metadata.name}", ns), "team-ns1");
}

TEST(JsonPath, MissingIsNotFoundAndDistinctFromEmpty) {
  auto path = Template::parse(R"({.metadata.labels.cpaas\.io/inner-namespace})");
  ASSERT_TRUE(path);
  auto missing = path->execute(Json::parse(R"({"metadata":{"labels":{}}})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(
      missing.error().message(),
      R"(jsonpath {.metadata.labels.cpaas\.io/inner-namespace}: cpaas.io/inner-namespace is not found)");
  auto empty =
      path->execute(Json::parse(R"({"metadata":{"labels":{"cpaas.io/inner-namespace":""}}})"));
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, "");
  EXPECT_EQ(*path->execute(Json::object(), true), "");
}

TEST(JsonPath, KubectlDocumentedExamples) {
  EXPECT_EQ(run("{.kind}"), "List");
  EXPECT_EQ(run("{['kind']}"), "List");
  EXPECT_EQ(run("{.items[0].metadata.name}"), "127.0.0.1");
  EXPECT_EQ(run("{.items[*].metadata.name}"), "127.0.0.1 127.0.0.2");
  EXPECT_EQ(run("{.items[-1].metadata.name}"), "127.0.0.2");
  EXPECT_EQ(run("{.items[0:1].metadata.name}"), "127.0.0.1");
  EXPECT_EQ(run("{..name}"), "127.0.0.1 127.0.0.2 myself e2e");
  EXPECT_EQ(run("{.users[?(@.name==\"e2e\")].user.password}"), "secret");
  EXPECT_EQ(run("{.items[*]['metadata.name', 'status.capacity']}"), "");
  EXPECT_EQ(run("{.items[0]['metadata','kind']}"),
            R"({"labels":{"kubernetes.io/hostname":"127.0.0.1"},"name":"127.0.0.1"} None)");
  EXPECT_EQ(run("{range .items[*]}[{.metadata.name}, {.status.capacity.cpu}] {end}"),
            "[127.0.0.1, 4] [127.0.0.2, 8] ");
  EXPECT_EQ(run(R"({range .items[*]}{.metadata.name}{"\t"}{.status.capacity.cpu}{"\n"}{end})"),
            "127.0.0.1\t4\n127.0.0.2\t8\n");
  EXPECT_EQ(run(R"({.items[0].metadata.labels.kubernetes\.io/hostname})"), "127.0.0.1");
  EXPECT_EQ(run("{.items[1].status.addresses[?(@.type!=\"LegacyHostIP\")].address}"), "127.0.0.3");
  EXPECT_EQ(run("{$.kind}"), "List");
  EXPECT_EQ(run("kind={.kind}!"), "kind=List!");
}

TEST(JsonPath, ThePrinterColumnsOfTheBindingCrd) {
  const Json binding = Json::parse(R"({"status":{
      "conditions":[{"type":"Synced","status":"False"},{"type":"Ready","status":"True"}],
      "lastRefreshTime":"2025-05-15T10:33:41Z","nextRefreshTime":"2025-05-15T16:33:41Z"}})");
  EXPECT_EQ(run(R"({.status.conditions[?(@.type=="Ready")].status})", binding), "True");
  EXPECT_EQ(run("{.status.lastRefreshTime}", binding), "2025-05-15T10:33:41Z");
  auto values = Template::parse(".status.nextRefreshTime");
  ASSERT_TRUE(values);
  auto got = values->values(binding);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->empty()) << "a template without braces is literal text";
}

TEST(JsonPath, FiltersCompareNumbersAndTestExistence) {
  const Json doc = Json::parse(R"({"a":[{"n":1,"x":true},{"n":5},{"n":9,"x":false}]})");
  EXPECT_EQ(run("{.a[?(@.n>4)].n}", doc), "5 9");
  EXPECT_EQ(run("{.a[?(@.n<=5)].n}", doc), "1 5");
  EXPECT_EQ(run("{.a[?(@.x)].n}", doc), "1 9");
  EXPECT_EQ(run("{.a[?(@.x==false)].n}", doc), "9");
  EXPECT_EQ(run("{.a[::-1].n}", doc), "9 5 1");
  EXPECT_EQ(run("{.a[1:].n}", doc), "5 9");
}

TEST(JsonPath, NonStringValuesPrintAsJson) {
  const Json doc = Json::parse(R"({"n":3,"b":true,"o":{"k":"v"},"l":[1,2]})");
  EXPECT_EQ(run("{.n} {.b} {.o} {.l}", doc), R"(3 true {"k":"v"} [1,2])");
}

TEST(JsonPath, ParseErrorsNameThePositionAndExpectation) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{.a", R"(jsonpath: "{.a" unclosed action at position 0 (expected a closing '}'))"},
      {"{.a[0}", R"(jsonpath: "{.a[0}" unclosed action at position 0 (expected a closing '}'))"},
      {"{}",
       R"(jsonpath: "{}" empty action at position 1 (expected a path such as .metadata.name))"},
      {"{end}",
       R"(jsonpath: "{end}" 'end' without 'range' at position 1 (expected {range …} before {end}))"},
      {"{range .a}x",
       R"(jsonpath: "{range .a}x" 'range' without 'end' at position 11 (expected {end} after the range body))"},
      {"{.a[x]}",
       R"(jsonpath: "{.a[x]}" an index is not an integer or quoted key at position 4 (expected e.g. [0], ['key'] or [*]))"},
      {"{.a[::0]}",
       R"(jsonpath: "{.a[::0]}" a slice step of 0 at position 4 (expected a non-zero step))"},
      {"{.a[?(@.b==)]}",
       R"(jsonpath: "{.a[?(@.b==)]}" a filter operand is missing at position 11 (expected e.g. @.type or "Ready"))"},
  };
  for (const auto& [text, message] : cases) {
    auto parsed = Template::parse(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().message(), message) << text;
  }
}

} // namespace
} // namespace harborrobot::jsonpath
