// How the plugin prints: kubectl's -o forms and its table layout.
#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harborrobot/cli/output.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::cli {
namespace {

using ::testing::HasSubstr;

TEST(OutputFormat, EmptyIsTextAndOnlyYamlOrJsonBesides) {
  EXPECT_EQ(parseOutputFormat("").value(), OutputFormat::kText);
  EXPECT_EQ(parseOutputFormat("yaml").value(), OutputFormat::kYaml);
  EXPECT_EQ(parseOutputFormat("json").value(), OutputFormat::kJson);
  const auto wide = parseOutputFormat("wide");
  ASSERT_FALSE(wide);
  EXPECT_THAT(wide.error().message(), HasSubstr("--output"));
  EXPECT_THAT(wide.error().message(), HasSubstr("wide"));
  EXPECT_THAT(wide.error().message(), HasSubstr("(expected yaml or json)"));
}

TEST(OutputFormat, SeveralObjectsAreYamlDocumentsOrAJsonList) {
  const std::vector<nlohmann::json> objects = {{{"kind", "A"}}, {{"kind", "B"}}};
  EXPECT_EQ(formatObjects(objects, OutputFormat::kYaml), "kind: A\n---\nkind: B\n");
  const auto list = nlohmann::json::parse(formatObjects(objects, OutputFormat::kJson));
  EXPECT_EQ(list["kind"], "List");
  EXPECT_EQ(list["apiVersion"], "v1");
  EXPECT_EQ(list["items"].size(), 2U);
}

TEST(OutputFormat, TablesPadToTheWidestCellThreeSpacesApart) {
  EXPECT_EQ(formatTable({"NAME", "READY", "AGE"}, {{"pull", "True", "5m"}, {"a", "False", "2d"}}),
            "NAME   READY   AGE\n"
            "pull   True    5m\n"
            "a      False   2d\n");
  // A short row leaves its last cells empty, and no line ends in spaces.
  EXPECT_EQ(formatTable({"A", "B"}, {{"x"}}), "A   B\nx\n");
}

TEST(OutputFormat, AgeIsRelativeToNowAndNeverNegative) {
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  EXPECT_EQ(ageOf(formatRfc3339(now - std::chrono::hours(50) - std::chrono::seconds(2))), "2d2h");
  EXPECT_EQ(ageOf(formatRfc3339(now + std::chrono::hours(1))), "0s");
  EXPECT_EQ(ageOf("yesterday"), "<unknown>");
}

TEST(OutputFormat, ObjectsAreNamedAsKubectlNamesThem) {
  EXPECT_EQ(describeObject({{"kind", "ClusterRoleBinding"}, {"metadata", {{"name", "hub"}}}}),
            "clusterrolebinding/hub");
}

} // namespace
} // namespace harborrobot::cli
