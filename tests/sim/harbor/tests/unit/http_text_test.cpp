// Go's query handling as the simulator reproduces it for Harbor's Link header
// (src/server/v2.0/handler/base.go BaseAPI.Links, src/lib/link.go).
#include "http_text.h"

#include <gtest/gtest.h>

namespace harborrobot::harborsim {
namespace {

TEST(PaginationLinks, NoneWithoutPageSizeOrMorePages) {
  EXPECT_EQ(paginationLinks("/api/v2.0/robots", "page_size=0", 50, 1, 0), "");
  EXPECT_EQ(paginationLinks("/api/v2.0/robots", "", 10, 1, 10), "");
}

TEST(PaginationLinks, KeepsEveryParameterSortedAndDecodedOnce) {
  EXPECT_EQ(paginationLinks("/api/v2.0/robots", "sort=-name&q=Level%3Dproject%2CProjectID%3D7", 25,
                            1, 10),
            "</api/v2.0/robots?page=2&page_size=10&q=Level=project,ProjectID=7&sort=-name>; "
            "rel=\"next\"");
}

TEST(PaginationLinks, NextStartsFromThePrevLinksQuery) {
  // Harbor's "next" reparses the already unescaped "prev" query, so an escaped
  // "+" (%252B on the wire) loses one more level of escaping there.
  EXPECT_EQ(paginationLinks("/r", "q=name%3Dp%252Bc", 30, 2, 10),
            "</r?page=1&page_size=10&q=name=p%2Bc>; rel=\"prev\" , "
            "</r?page=3&page_size=10&q=name=p+c>; rel=\"next\"");
}

TEST(PaginationLinks, PrevOnlyWhenThatPageHasRows) {
  EXPECT_EQ(paginationLinks("/r", "page=9", 20, 9, 10), "");
}

TEST(QueryUnescape, RefusesMalformedEscapes) {
  EXPECT_EQ(queryUnescape("a%2Bb+c"), "a+b c");
  EXPECT_FALSE(queryUnescape("100%"));
  EXPECT_FALSE(queryUnescape("%zz"));
}

} // namespace
} // namespace harborrobot::harborsim
