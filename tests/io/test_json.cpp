#include <doctest/doctest.h>

#include <string>

#include "hourglass/error.hpp"
#include "hourglass/io/json.hpp"

TEST_SUITE("json") {
  TEST_CASE("values parse into the tree they spell") {
    hg::Json j = hg::parse_json(
        R"( {"a": [1, -2.5e3, true, false, null], "s": "x\"\\\n\u00e9\ud83d\ude00"} )",
        "t");
    REQUIRE(j.kind == hg::Json::Kind::Object);
    const hg::Json* a = j.find("a");
    REQUIRE(a);
    REQUIRE(a->items.size() == 5);
    CHECK(a->items[0].as_uint("x") == 1);
    CHECK(a->items[1].text == "-2.5e3");
    CHECK(a->items[2].boolean);
    CHECK_FALSE(a->items[3].boolean);
    CHECK(a->items[4].kind == hg::Json::Kind::Null);
    CHECK(j.find("s")->text == "x\"\\\n\xc3\xa9\xf0\x9f\x98\x80");
    CHECK(j.find("nope") == nullptr);
  }

  TEST_CASE("strictness: malformed text is an error with the byte offset") {
    for (const char* bad :
         {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "1e",
          "tru", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "[1] 2",
          "{\"a\":1,\"a\":2}", "\"a\nb\"", "{a:1}", "'a'"}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(hg::parse_json(bad, "t"), hg::Error);
    }
    CHECK_THROWS_WITH_AS(hg::parse_json("[1, 2,]", "f.json"),
                         doctest::Contains("f.json: JSON header, byte 6"),
                         hg::Error);
    // Deep nesting is refused instead of overflowing the stack.
    CHECK_THROWS_AS(hg::parse_json(std::string(10000, '['), "t"), hg::Error);
  }

  TEST_CASE("integers are exact and range-checked") {
    CHECK(hg::parse_json("18446744073709551615", "t").as_uint("n") ==
          18446744073709551615ull);
    CHECK_THROWS_AS(hg::parse_json("18446744073709551616", "t").as_uint("n"),
                    hg::Error);
    CHECK_THROWS_AS(hg::parse_json("-1", "t").as_uint("n"), hg::Error);
    CHECK_THROWS_AS(hg::parse_json("1.0", "t").as_uint("n"), hg::Error);
    CHECK_THROWS_AS(hg::parse_json("\"1\"", "t").as_uint("n"), hg::Error);
  }

  TEST_CASE("quoting escapes what JSON requires and round-trips") {
    CHECK(hg::json_quote("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
    const std::string s = "tab\there \"q\" \x1f end";
    CHECK(hg::parse_json(hg::json_quote(s), "t").text == s);
  }
}
