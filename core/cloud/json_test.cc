#include "core/cloud/json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/port/rng.h"

namespace airlab::cloud {
namespace {

std::string Unescaped(JsonString s) {
  std::string out(s.size(), '\0');
  StatusWithSize copied = s.CopyTo(AsWritableBytes(out.data(), out.size()));
  EXPECT_TRUE(copied.ok());
  out.resize(copied.size());
  return out;
}

TEST(JsonValue, Parse_Scalars) {
  EXPECT_EQ(JsonValue::Parse("  42 ")->type(), JsonType::kNumber);
  EXPECT_EQ(JsonValue::Parse("42")->text(), "42");
  EXPECT_EQ(JsonValue::Parse("-0.5e+3")->type(), JsonType::kNumber);
  EXPECT_EQ(JsonValue::Parse("true")->type(), JsonType::kBool);
  EXPECT_EQ(JsonValue::Parse("null")->type(), JsonType::kNull);
  EXPECT_EQ(JsonValue::Parse("\"x\"")->type(), JsonType::kString);
  EXPECT_EQ(JsonValue::Parse("[]")->type(), JsonType::kArray);
  EXPECT_EQ(JsonValue::Parse("{}")->type(), JsonType::kObject);
}

TEST(JsonValue, Parse_Malformed_ReturnsDataLoss) {
  for (std::string_view bad : {"",
                               " ",
                               "01",
                               "1.",
                               ".5",
                               "1e",
                               "-",
                               "+1",
                               "tru",
                               "nul",
                               "[1,]",
                               "{\"a\":1,}",
                               "[1 2]",
                               "{\"a\" 1}",
                               "{1:2}",
                               "\"abc",
                               "\"a\\x\"",
                               "\"\\u12g4\"",
                               "\"tab\there\"",
                               "[",
                               "]",
                               "{\"a\":1}}",
                               "1 2",
                               "[1]x",
                               "'a'",
                               "\"\xff\"",
                               "\"\xc0\xaf\"",
                               "\"\xed\xa0\x80\"",
                               "NaN",
                               "Infinity",
                               "[-]",
                               "{\"a\":}",
                               "{,}",
                               "[,1]",
                               "\"\\ud800\"",
                               "\"\\udc00\"",
                               "\"\\ud800\\u0041\"",
                               "\"\\ud800x\""}) {
    EXPECT_EQ(JsonValue::Parse(bad).status(), Status::DataLoss()) << bad;
  }
}

TEST(JsonValue, Parse_DepthLimit) {
  std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(JsonValue::Parse(ok).ok());
  std::string deep = "[" + ok + "]";
  EXPECT_EQ(JsonValue::Parse(deep).status(), Status::DataLoss());
}

TEST(JsonValue, Find_SkipsNestedValuesWithTrickyStrings) {
  auto doc = JsonValue::Parse(
      R"({"a":{"feeds":[1,2]},"s":"}]\"{[","n":[{"x":"]"},[]],"feeds":[ {"k" : "v"} ] })");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->Find("s").AsString().escaped(), R"(}]\"{[)");
  EXPECT_EQ(Unescaped(doc->Find("s").AsString()), "}]\"{[");
  JsonValue feeds = doc->Find("feeds");
  ASSERT_TRUE(feeds.is_array());
  EXPECT_EQ(feeds.text(), R"([ {"k" : "v"} ])");
  int n = 0;
  for (JsonValue element : feeds.elements()) {
    ++n;
    EXPECT_TRUE(element.Find("k").AsString().Equals("v"));
  }
  EXPECT_EQ(n, 1);
  EXPECT_FALSE(doc->Find("missing").present());
  EXPECT_FALSE(doc->Find("s").Find("x").present());  // not an object
}

TEST(JsonValue, Iteration_MembersAndElementsInOrder) {
  auto doc = JsonValue::Parse(R"({ "a" : 1 , "b":[true,false,null] , "c":"z" })");
  ASSERT_TRUE(doc.ok());
  std::vector<std::string> keys;
  for (JsonMember m : doc->members()) keys.push_back(Unescaped(m.key));
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "c"}));
  std::vector<JsonType> types;
  for (JsonValue v : doc->Find("b").elements()) types.push_back(v.type());
  EXPECT_EQ(types, (std::vector<JsonType>{JsonType::kBool, JsonType::kBool, JsonType::kNull}));
  int empty = 0;
  for ([[maybe_unused]] JsonValue v : JsonValue::Parse("[ ]")->elements()) ++empty;
  for ([[maybe_unused]] JsonMember m : JsonValue::Parse("{ }")->members()) ++empty;
  for ([[maybe_unused]] JsonValue v : doc->Find("c").elements()) ++empty;  // not an array
  EXPECT_EQ(empty, 0);
}

TEST(JsonValue, AsInt_IntegersOnly) {
  EXPECT_EQ(JsonValue::Parse("6060625")->AsInt().value(), 6060625);
  EXPECT_EQ(JsonValue::Parse("-7")->AsInt().value(), -7);
  EXPECT_EQ(JsonValue::Parse("1.5")->AsInt().status(), Status::DataLoss());
  EXPECT_EQ(JsonValue::Parse("1e3")->AsInt().status(), Status::DataLoss());
  EXPECT_EQ(JsonValue::Parse("1234567890123456789")->AsInt().status(), Status::DataLoss());
  EXPECT_EQ(JsonValue::Parse("\"5\"")->AsInt().status(), Status::DataLoss());
  EXPECT_EQ(JsonValue().AsInt().status(), Status::DataLoss());
  EXPECT_TRUE(JsonValue::Parse("true")->AsBool().value());
  EXPECT_FALSE(JsonValue::Parse("false")->AsBool().value());
  EXPECT_EQ(JsonValue::Parse("1")->AsBool().status(), Status::DataLoss());
}

TEST(JsonString, Unescape_AllEscapesAndSurrogates) {
  auto doc = JsonValue::Parse(R"("q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 \u0041")");
  ASSERT_TRUE(doc.ok());
  JsonString s = doc->AsString();
  std::string expected = "q\" b\\ s/ \b\f\n\r\t \xc3\xa9 \xf0\x9f\x98\x80 A";
  EXPECT_TRUE(s.has_escapes());
  EXPECT_EQ(s.size(), expected.size());
  EXPECT_EQ(Unescaped(s), expected);
  EXPECT_TRUE(s.Equals(expected));
  EXPECT_FALSE(s.Equals(expected + "!"));
  EXPECT_FALSE(s.Equals(expected.substr(1)));
  EXPECT_FALSE(JsonString().Equals(""));
  EXPECT_TRUE(JsonValue::Parse("\"\"")->AsString().Equals(""));
}

TEST(JsonString, CopyTo_TooSmall_WritesWholeCharactersThatFit) {
  JsonString s = JsonValue::Parse(R"("ab\u00e9")")->AsString();  // a b é(2 bytes)
  std::array<std::byte, 3> out{};
  StatusWithSize copied = s.CopyTo(out);
  EXPECT_EQ(copied.status(), Status::ResourceExhausted());
  EXPECT_EQ(copied.size(), 2u);
}

// Differential test against nlohmann-json, the reader the host side trusts: random
// mutations of ThingSpeak-like documents must be accepted or refused alike, and every
// string that both accept must unescape to the same bytes.
TEST(JsonValue, Parse_AgreesWithNlohmannOnMutatedDocuments) {
  const std::vector<std::string> seeds = {
      R"({"channel":{"id":9,"name":"my_house","latitude":"40.44"},"feeds":[{"created_at":"2014-02-26T12:42:49-05:00","entry_id":6060624,"field1":"188","field2":null}]})",
      R"({"status":"401","error":{"error_code":"error_auth_required","message":"A \"q\" \u00e9\n"}})",
      R"([1,-2.5e-3,true,false,null,"\ud83d\ude00",[],{}])",
  };
  const std::string alphabet = "{}[]\":,\\u0123456789.eE+-tfnrlas \x01\x7f\xc3\xa9\xed\xff";
  port::SplitMix64 rng(2024);
  int compared = 0;
  int accepted = 0;
  int unrepresentable = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string doc = seeds[rng.Uniform(static_cast<uint32_t>(seeds.size()))];
    int edits = 1 + static_cast<int>(rng.Uniform(3));
    for (int e = 0; e < edits && !doc.empty(); ++e) {
      size_t at = rng.Uniform(static_cast<uint32_t>(doc.size()));
      char c = alphabet[rng.Uniform(static_cast<uint32_t>(alphabet.size()))];
      switch (rng.Uniform(3)) {
        case 0: doc[at] = c; break;
        case 1: doc.insert(doc.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        default: doc.erase(at, 1); break;
      }
    }
    bool ours = JsonValue::Parse(doc).ok();
    bool theirs = true;
    nlohmann::json parsed;
    try {
      parsed = nlohmann::json::parse(doc);
    } catch (const nlohmann::json::out_of_range&) {
      // "606E624": valid JSON, but more than a double holds, which nlohmann refuses.
      ++unrepresentable;
      continue;
    } catch (const nlohmann::json::parse_error&) {
      theirs = false;
    }
    ASSERT_EQ(ours, theirs) << "document: " << doc;
    ++compared;
    if (!ours) continue;
    ++accepted;
    // Walk both and compare every string value reached through the structure.
    std::function<void(JsonValue, const nlohmann::json&)> walk = [&](JsonValue v,
                                                                     const nlohmann::json& j) {
      if (v.type() == JsonType::kString) {
        ASSERT_TRUE(j.is_string());
        EXPECT_EQ(Unescaped(v.AsString()), j.get<std::string>()) << doc;
      } else if (v.is_array()) {
        size_t k = 0;
        for (JsonValue e : v.elements()) walk(e, j.at(k++));
        EXPECT_EQ(k, j.size());
      } else if (v.is_object()) {
        std::map<std::string, int> seen;
        for (JsonMember m : v.members()) ++seen[Unescaped(m.key)];
        for (const auto& [key, count] : seen) {
          // A repeated key: Find keeps the first, nlohmann the last; nothing to compare.
          if (count == 1) walk(v.Find(key), j.at(key));
        }
      }
    };
    walk(*JsonValue::Parse(doc), parsed);
  }
  EXPECT_EQ(compared + unrepresentable, 20000);
  EXPECT_LT(unrepresentable, 100);
  EXPECT_GT(accepted, 500);  // the mutations must leave enough valid documents to compare
}

}  // namespace
}  // namespace airlab::cloud
