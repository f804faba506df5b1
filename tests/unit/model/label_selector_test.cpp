// Label selectors: structured and string forms, matching, validation messages.
#include "harborrobot/model/label_selector.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace harborrobot {
namespace {

using Json = nlohmann::json;

TEST(LabelSelector, TheSeedsMatchLabelsSelector) {
  auto selector =
      labelSelectorFromJson(Json::parse(R"({"matchLabels":{"goharbor.io/project":"team-1"}})"),
                            "spec.namespaces.selector");
  ASSERT_TRUE(selector) << selector.error().message();
  EXPECT_TRUE(selector->matches({{"goharbor.io/project", "team-1"}, {"other", "x"}}));
  EXPECT_FALSE(selector->matches({{"goharbor.io/project", "team-2"}}));
  EXPECT_FALSE(selector->matches({}));
  EXPECT_EQ(selector->toString(), "goharbor.io/project=team-1");
}

TEST(LabelSelector, MatchExpressionsOfEachOperator) {
  auto selector = labelSelectorFromJson(Json::parse(R"({
    "matchLabels": {"team": "a"},
    "matchExpressions": [
      {"key": "tier", "operator": "In", "values": ["web", "api"]},
      {"key": "env", "operator": "NotIn", "values": ["prod"]},
      {"key": "harbor", "operator": "Exists"},
      {"key": "legacy", "operator": "DoesNotExist"}]})"),
                                        "s");
  ASSERT_TRUE(selector) << selector.error().message();
  const Labels good = {{"team", "a"}, {"tier", "api"}, {"harbor", ""}};
  EXPECT_TRUE(selector->matches(good));
  Labels prod = good;
  prod["env"] = "prod";
  EXPECT_FALSE(selector->matches(prod));
  Labels legacy = good;
  legacy["legacy"] = "yes";
  EXPECT_FALSE(selector->matches(legacy));
  Labels noHarbor = good;
  noHarbor.erase("harbor");
  EXPECT_FALSE(selector->matches(noHarbor));
  EXPECT_EQ(selector->toString(), "env!=prod,harbor,!legacy,team=a,tier in (api,web)");
}

TEST(LabelSelector, StringFormParsesEverythingKubectlAccepts) {
  auto selector = parseLabelSelectorString("a=b, c!=d,e in (x, y),!f,g==h,i notin (j),k,n>3,m<7");
  ASSERT_TRUE(selector) << selector.error().message();
  EXPECT_EQ(selector->toString(), "a=b,c!=d,e in (x,y),!f,g=h,i!=j,k,m<7,n>3");
  EXPECT_TRUE(
      selector->matches({{"a", "b"}, {"e", "y"}, {"g", "h"}, {"k", ""}, {"n", "4"}, {"m", "6"}}));
  EXPECT_FALSE(
      selector->matches({{"a", "b"}, {"e", "y"}, {"g", "h"}, {"k", ""}, {"n", "3"}, {"m", "6"}}));
  auto roundTrip = parseLabelSelectorString(selector->toString());
  ASSERT_TRUE(roundTrip);
  EXPECT_EQ(roundTrip->toString(), selector->toString());
}

TEST(LabelSelector, EmptyMatchesEverythingAndNothingMatchesNothing) {
  auto empty = parseLabelSelectorString("  ");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  EXPECT_TRUE(empty->matches({{"any", "thing"}}));
  EXPECT_FALSE(LabelSelector::nothing().matches({}));
  auto nullSelector = labelSelectorFromJson(nullptr, "s");
  ASSERT_TRUE(nullSelector);
  EXPECT_TRUE(nullSelector->matchesNothing());
}

TEST(LabelSelector, ValidationMessagesNameFieldValueAndExpectation) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"matchLabels":{"bad key!":"x"}})",
       R"(sel.matchLabels: "bad key!" is not a valid label key (expected a name of at most 63 alphanumerics, '-', '_' or '.' that starts and ends alphanumeric, optionally prefixed by a DNS subdomain and '/', e.g. goharbor.io/project))"},
      {R"({"matchLabels":{"team":"-x"}})",
       R"(sel.matchLabels[team]: "-x" is not a valid label value (expected empty, or at most 63 alphanumerics, '-', '_' or '.' that start and end alphanumeric))"},
      {R"({"matchLabels":{"team":1}})",
       R"(sel.matchLabels[team]: "1" is not a string (expected a label value))"},
      {R"({"matchExpressions":[{"key":"a","operator":"Equals","values":["x"]}]})",
       R"(sel.matchExpressions[0].operator: "Equals" is not a valid selector operator (expected In, NotIn, Exists or DoesNotExist))"},
      {R"({"matchExpressions":[{"key":"a","operator":"In"}]})",
       R"(sel.matchExpressions[0].values: must be specified when operator is In (expected at least one value))"},
      {R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})",
       R"(sel.matchExpressions[0].values: may not be specified when operator is Exists (expected no values))"},
      {R"({"matchExpressions":[{"operator":"Exists"}]})",
       R"(sel.matchExpressions[0].key: is required (expected a label key))"},
      {R"({"matchLabel":{"a":"b"}})",
       R"(sel.matchLabel: "matchLabel" is not a known field (expected matchLabels or matchExpressions))"},
      {R"("team=a")",
       R"(sel: "\"team=a\"" is not an object (expected {matchLabels: {...}, matchExpressions: [...]}))"},
      {R"({"matchLabels":{"a/b/c":"x"}})",
       R"(sel.matchLabels: "a/b/c" is not a valid label key (expected a name of at most 63 alphanumerics, '-', '_' or '.' that starts and ends alphanumeric, optionally prefixed by a DNS subdomain and '/', e.g. goharbor.io/project))"},
  };
  for (const auto& [json, message] : cases) {
    auto selector = labelSelectorFromJson(Json::parse(json), "sel");
    ASSERT_FALSE(selector) << json;
    EXPECT_EQ(selector.error().message(), message) << json;
  }
}

TEST(LabelSelector, StringFormErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a in x",
       R"(selector: "a in x" '(' is missing at position 5 (expected e.g. a=b,c!=d,e in (x,y),!f))"},
      {"a in (x",
       R"(selector: "a in (x" ',' or ')' is missing at position 7 (expected e.g. a=b,c!=d,e in (x,y),!f))"},
      {"a b",
       R"(selector: "a b" ',' is missing at position 2 (expected e.g. a=b,c!=d,e in (x,y),!f))"},
      {"=b",
       R"(selector: "=b" a key is missing at position 0 (expected e.g. a=b,c!=d,e in (x,y),!f))"},
      {"n>x", R"(selector: "x" is not a single integer (expected e.g. replicas>2))"},
  };
  for (const auto& [text, message] : cases) {
    auto selector = parseLabelSelectorString(text);
    ASSERT_FALSE(selector) << text;
    EXPECT_EQ(selector.error().message(), message) << text;
  }
}

TEST(LabelSelector, StringFormErrorsNameTheGivenPath) {
  // A flag such as bind's --selector: the string has no fields, so every
  // problem is reported at the flag, naming the text or the part at fault.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"env in prod",
       R"(--selector: "env in prod" '(' is missing at position 7 (expected e.g. a=b,c!=d,e in (x,y),!f))"},
      {"Bad_=x",
       R"(--selector: "Bad_" is not a valid label key (expected a name of at most 63 alphanumerics, '-', '_' or '.' that starts and ends alphanumeric, optionally prefixed by a DNS subdomain and '/', e.g. goharbor.io/project))"},
      {"team=-x",
       R"(--selector: "-x" is not a valid label value (expected empty, or at most 63 alphanumerics, '-', '_' or '.' that start and end alphanumeric))"},
      {"env in (prod,-x)",
       R"(--selector: "-x" is not a valid label value (expected empty, or at most 63 alphanumerics, '-', '_' or '.' that start and end alphanumeric))"},
      {"n>x", R"(--selector: "x" is not a single integer (expected e.g. replicas>2))"},
  };
  for (const auto& [text, message] : cases) {
    auto selector = parseLabelSelectorString(text, "--selector");
    ASSERT_FALSE(selector) << text;
    EXPECT_EQ(selector.error().code(), ErrorCode::kInvalidArgument) << text;
    EXPECT_EQ(selector.error().message(), message) << text;
  }
}

TEST(LabelSelector, ToJsonUsesMatchLabelsWhereItCanAndExpressionsForTheRest) {
  auto selector = parseLabelSelectorString(
      "team=a,env in (staging,prod),tier!=web,harbor,!legacy,zone notin (x,y),one in (only)");
  ASSERT_TRUE(selector) << selector.error().message();
  auto json = labelSelectorToJson(*selector, "--selector");
  ASSERT_TRUE(json) << json.error().message();
  EXPECT_EQ(*json, Json::parse(R"({
    "matchLabels": {"one": "only", "team": "a"},
    "matchExpressions": [
      {"key": "env", "operator": "In", "values": ["prod", "staging"]},
      {"key": "harbor", "operator": "Exists"},
      {"key": "legacy", "operator": "DoesNotExist"},
      {"key": "tier", "operator": "NotIn", "values": ["web"]},
      {"key": "zone", "operator": "NotIn", "values": ["x", "y"]}]})"));
  auto back = labelSelectorFromJson(*json, "spec.namespaces.selector");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->requirements(), selector->requirements());
}

TEST(LabelSelector, ToJsonKeepsASecondEqualityOnOneKey) {
  auto selector = parseLabelSelectorString("a=b,a=c");
  ASSERT_TRUE(selector) << selector.error().message();
  auto json = labelSelectorToJson(*selector, "s");
  ASSERT_TRUE(json) << json.error().message();
  EXPECT_EQ(*json, Json::parse(R"({"matchLabels": {"a": "b"},
    "matchExpressions": [{"key": "a", "operator": "In", "values": ["c"]}]})"));
  auto back = labelSelectorFromJson(*json, "s");
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->matches({{"a", "b"}}));
  EXPECT_FALSE(back->matches({{"a", "c"}}));
}

TEST(LabelSelector, ToJsonOfEmptyAndNothing) {
  auto empty = labelSelectorToJson(LabelSelector(), "s");
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, Json::object());
  auto nothing = labelSelectorToJson(LabelSelector::nothing(), "s");
  ASSERT_TRUE(nothing);
  EXPECT_TRUE(nothing->is_null());
  auto back = labelSelectorFromJson(*nothing, "s");
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->matchesNothing());
}

TEST(LabelSelector, ToJsonRefusesComparisonsNamingThePath) {
  auto selector = parseLabelSelectorString("team=a,replicas>2");
  ASSERT_TRUE(selector) << selector.error().message();
  auto json = labelSelectorToJson(*selector, "--selector");
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      json.error().message(),
      R"(--selector: "replicas>2" cannot be written as a LabelSelector (its matchExpressions have no > or <) (expected =, ==, !=, in (...), notin (...), KEY or !KEY))");
}

} // namespace
} // namespace harborrobot
