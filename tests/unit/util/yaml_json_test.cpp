// YAML to JSON as kubectl reads manifests: scalar resolution, quoting, anchors and
// merges, multi-document streams, positioned errors.
#include "harborrobot/util/yaml_json.h"

#include <gtest/gtest.h>

namespace harborrobot {
namespace {

using Json = nlohmann::json;

TEST(YamlJson, ResolvesPlainScalarsAndKeepsQuotedOnesAsStrings) {
  auto json = yamlToJson(R"(
labels:
  harbor-robot-gen: "true"
plain: true
yes11: yes
off11: off
int: 42
neg: -7
hex: 0x1F
octal: 0755
float: 1.5
exp: 1e3
nothing: ~
empty:
text: hello world
version: "1.0"
refresh: 6h
quoted: '42'
block: |
  line one
  line two
)");
  ASSERT_TRUE(json) << json.error().message();
  EXPECT_EQ((*json)["labels"]["harbor-robot-gen"], "true");
  EXPECT_EQ((*json)["plain"], true);
  EXPECT_EQ((*json)["yes11"], true);
  EXPECT_EQ((*json)["off11"], false);
  EXPECT_EQ((*json)["int"], 42);
  EXPECT_EQ((*json)["neg"], -7);
  EXPECT_EQ((*json)["hex"], 31);
  EXPECT_EQ((*json)["octal"], 493);
  EXPECT_EQ((*json)["float"], 1.5);
  EXPECT_EQ((*json)["exp"], 1000.0);
  EXPECT_TRUE((*json)["nothing"].is_null());
  EXPECT_TRUE((*json)["empty"].is_null());
  EXPECT_EQ((*json)["text"], "hello world");
  EXPECT_EQ((*json)["version"], "1.0");
  EXPECT_EQ((*json)["refresh"], "6h");
  EXPECT_EQ((*json)["quoted"], "42");
  EXPECT_EQ((*json)["block"], "line one\nline two\n");
}

TEST(YamlJson, TheSeedsEscapedJsonPathSurvives) {
  auto doubleQuoted = yamlToJson(
      R"(harbor-robot-gen/projectFieldsPath: "{.metadata.labels.cpaas\\.io/inner-namespace}")");
  ASSERT_TRUE(doubleQuoted) << doubleQuoted.error().message();
  EXPECT_EQ((*doubleQuoted)["harbor-robot-gen/projectFieldsPath"],
            R"({.metadata.labels.cpaas\.io/inner-namespace})");
  auto singleQuoted = yamlToJson(
      R"("harbor-robot-gen/projectFieldsPath": '{.metadata.annotations.goharbor\.io/project}')");
  ASSERT_TRUE(singleQuoted);
  EXPECT_EQ((*singleQuoted)["harbor-robot-gen/projectFieldsPath"],
            R"({.metadata.annotations.goharbor\.io/project})");
}

TEST(YamlJson, ExpandsAnchorsAliasesAndMergeKeys) {
  auto json = yamlToJson(R"(
base: &base {action: pull, resource: repository}
access:
- *base
- <<: *base
  action: push
)");
  ASSERT_TRUE(json) << json.error().message();
  EXPECT_EQ((*json)["access"][0], Json({{"action", "pull"}, {"resource", "repository"}}));
  EXPECT_EQ((*json)["access"][1], Json({{"action", "push"}, {"resource", "repository"}}));
}

TEST(YamlJson, SplitsStreamsAndSkipsEmptyDocuments) {
  auto documents = yamlDocumentsToJson("---\nkind: A\n---\n---\n# only a comment\n---\nkind: B\n");
  ASSERT_TRUE(documents) << documents.error().message();
  ASSERT_EQ(documents->size(), 2u);
  EXPECT_EQ((*documents)[0]["kind"], "A");
  EXPECT_EQ((*documents)[1]["kind"], "B");
}

TEST(YamlJson, ErrorsNameTheLineAndColumn) {
  auto unterminated = yamlToJson("a: [1, 2\nb: 3\n");
  ASSERT_FALSE(unterminated);
  EXPECT_EQ(unterminated.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(unterminated.error().message().starts_with("yaml: line "))
      << unterminated.error().message();
  auto duplicate = yamlToJson("spec:\n  project: a\n  project: b\n");
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().message(),
            "yaml: line 3, column 3: mapping key \"project\" already defined");
  auto badInt = yamlToJson("a: !!int twelve\n");
  ASSERT_FALSE(badInt);
  EXPECT_EQ(badInt.error().message(), "yaml: line 1, column 4: cannot decode twelve as int");
}

TEST(YamlJson, RefusesAliasBombs) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char previous = 'a';
  for (char name = 'b'; name <= 'i'; ++name) {
    bomb += std::string(1, name) + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) {
      bomb += std::string(i == 0 ? "" : ", ") + "*" + previous;
    }
    bomb += "]\n";
    previous = name;
  }
  auto json = yamlToJson(bomb);
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().message(), "yaml: document expands to more than 100000 nodes (aliases?)");
}

} // namespace
} // namespace harborrobot

namespace harborrobot {
namespace {

TEST(YamlJson, HugePlainScalarsStayStringsWithoutRecursion) {
  const std::string digits(100000, '1');
  auto json = yamlToJson("a: " + digits + "\nb: 1_000\nc: -0x1F\nd: 0b101\ne: .5\nf: 1.\ng: 1e\n");
  ASSERT_TRUE(json) << json.error().message();
  EXPECT_EQ((*json)["a"], digits);
  EXPECT_EQ((*json)["b"], 1000);
  EXPECT_EQ((*json)["c"], -31);
  EXPECT_EQ((*json)["d"], 5);
  EXPECT_EQ((*json)["e"], 0.5);
  EXPECT_EQ((*json)["f"], 1.0);
  EXPECT_EQ((*json)["g"], "1e");
}

} // namespace
} // namespace harborrobot

namespace harborrobot {
namespace {

TEST(YamlJson, AStreamYamlCppsLoadAllNeverFinishesOnLoadsPerDocument) {
  // Found by libFuzzer: yaml-cpp 0.7's LoadAll does not return on this input;
  // loaded document by document it is a single empty document.
  auto documents = yamlDocumentsToJson(",' &a [<, xx]\nb: \n");
  ASSERT_TRUE(documents) << documents.error().message();
  EXPECT_TRUE(documents->empty());
}

TEST(YamlJson, SeparatorsFollowKubectlsReaderAndErrorsKeepStreamLines) {
  auto ok = yamlDocumentsToJson("a: 1\n--- # next\nb: 2\n---\n");
  ASSERT_TRUE(ok) << ok.error().message();
  ASSERT_EQ(ok->size(), 2u);
  auto bad = yamlDocumentsToJson("a: 1\n--- b: 2\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "yaml: line 2: invalid document separator: --- b: 2");
  auto positioned = yamlDocumentsToJson("a: 1\n---\nb: [1\n");
  ASSERT_FALSE(positioned);
  EXPECT_TRUE(positioned.error().message().starts_with("yaml: line 4"))
      << positioned.error().message();
}

} // namespace
} // namespace harborrobot
