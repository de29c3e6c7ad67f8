#include "core/sniff/filter.h"

#include <cstring>

#include "core/base/ascii.h"

namespace airlab::sniff {
namespace {

using Op = Filter::Op;
using Instruction = Filter::Instruction;

enum class Flag : uint8_t {
  kRetry,
  kProtected,
  kToDs,
  kFromDs,
  kMoreData,
  kBadFcs,
  kEspnow,
  kEspnowBroadcast,
  kEspnowEncrypted,
};

enum class AddressField : uint8_t {
  kAddr1,
  kAddr2,
  kAddr3,
  kAddr4,
  kSa,
  kDa,
  kBssid,
  kTa,
  kRa,
  kAny,
  kEspnowSender,
  kEspnowPeer,
};

enum class NumberField : uint8_t {
  kChannel,
  kRssi,
  kLength,
  kSeq,
  kRate,
  kEspnowVersion,
  kEspnowLength,
};

enum class Compare : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

enum class FieldKind : uint8_t { kType, kTypeSubtype, kFlag, kAddress, kNumber, kPayload };

struct Field {
  std::string_view name;
  FieldKind kind;
  uint8_t id;
};

constexpr uint8_t Id(auto e) { return static_cast<uint8_t>(e); }

// Names follow Wireshark's display filters where one exists (wlan.fc.type_subtype names,
// wlan.sa/da/bssid/ta/ra), shortened the way tcpdump's `type mgt subtype beacon` reads.
constexpr Field kFields[] = {
    {"mgmt", FieldKind::kType, 0},
    {"ctrl", FieldKind::kType, 1},
    {"data", FieldKind::kType, 2},
    {"assoc-req", FieldKind::kTypeSubtype, 0x00},
    {"assoc-resp", FieldKind::kTypeSubtype, 0x01},
    {"reassoc-req", FieldKind::kTypeSubtype, 0x02},
    {"reassoc-resp", FieldKind::kTypeSubtype, 0x03},
    {"probe-req", FieldKind::kTypeSubtype, 0x04},
    {"probe-resp", FieldKind::kTypeSubtype, 0x05},
    {"beacon", FieldKind::kTypeSubtype, 0x08},
    {"atim", FieldKind::kTypeSubtype, 0x09},
    {"disassoc", FieldKind::kTypeSubtype, 0x0a},
    {"auth", FieldKind::kTypeSubtype, 0x0b},
    {"deauth", FieldKind::kTypeSubtype, 0x0c},
    {"action", FieldKind::kTypeSubtype, 0x0d},
    {"action-noack", FieldKind::kTypeSubtype, 0x0e},
    {"block-ack-req", FieldKind::kTypeSubtype, 0x18},
    {"block-ack", FieldKind::kTypeSubtype, 0x19},
    {"ps-poll", FieldKind::kTypeSubtype, 0x1a},
    {"rts", FieldKind::kTypeSubtype, 0x1b},
    {"cts", FieldKind::kTypeSubtype, 0x1c},
    {"ack", FieldKind::kTypeSubtype, 0x1d},
    {"cf-end", FieldKind::kTypeSubtype, 0x1e},
    {"data-frame", FieldKind::kTypeSubtype, 0x20},
    {"null", FieldKind::kTypeSubtype, 0x24},
    {"qos-data", FieldKind::kTypeSubtype, 0x28},
    {"qos-null", FieldKind::kTypeSubtype, 0x2c},
    {"retry", FieldKind::kFlag, Id(Flag::kRetry)},
    {"protected", FieldKind::kFlag, Id(Flag::kProtected)},
    {"to-ds", FieldKind::kFlag, Id(Flag::kToDs)},
    {"from-ds", FieldKind::kFlag, Id(Flag::kFromDs)},
    {"more-data", FieldKind::kFlag, Id(Flag::kMoreData)},
    {"bad-fcs", FieldKind::kFlag, Id(Flag::kBadFcs)},
    {"espnow", FieldKind::kFlag, Id(Flag::kEspnow)},
    {"espnow.broadcast", FieldKind::kFlag, Id(Flag::kEspnowBroadcast)},
    {"espnow.encrypted", FieldKind::kFlag, Id(Flag::kEspnowEncrypted)},
    {"addr1", FieldKind::kAddress, Id(AddressField::kAddr1)},
    {"addr2", FieldKind::kAddress, Id(AddressField::kAddr2)},
    {"addr3", FieldKind::kAddress, Id(AddressField::kAddr3)},
    {"addr4", FieldKind::kAddress, Id(AddressField::kAddr4)},
    {"sa", FieldKind::kAddress, Id(AddressField::kSa)},
    {"da", FieldKind::kAddress, Id(AddressField::kDa)},
    {"bssid", FieldKind::kAddress, Id(AddressField::kBssid)},
    {"ta", FieldKind::kAddress, Id(AddressField::kTa)},
    {"ra", FieldKind::kAddress, Id(AddressField::kRa)},
    {"addr", FieldKind::kAddress, Id(AddressField::kAny)},
    {"espnow.sender", FieldKind::kAddress, Id(AddressField::kEspnowSender)},
    {"espnow.peer", FieldKind::kAddress, Id(AddressField::kEspnowPeer)},
    {"channel", FieldKind::kNumber, Id(NumberField::kChannel)},
    {"rssi", FieldKind::kNumber, Id(NumberField::kRssi)},
    {"len", FieldKind::kNumber, Id(NumberField::kLength)},
    {"seq", FieldKind::kNumber, Id(NumberField::kSeq)},
    {"rate", FieldKind::kNumber, Id(NumberField::kRate)},
    {"espnow.version", FieldKind::kNumber, Id(NumberField::kEspnowVersion)},
    {"espnow.len", FieldKind::kNumber, Id(NumberField::kEspnowLength)},
    {"espnow.payload", FieldKind::kPayload, 0},
};

constexpr const char* kExpectTest =
    "a field or frame kind (e.g. beacon, espnow, rssi, sa), 'not' or '('";
constexpr const char* kExpectEnd = "'and', 'or' or the end of the filter";
constexpr const char* kExpectClose = "')'";
constexpr const char* kExpectEqNe = "'==' or '!='";
constexpr const char* kExpectCompare = "a comparison: ==, !=, <, <=, >, >=";
constexpr const char* kExpectMac = "a MAC address like aa:bb:cc:dd:ee:ff, or broadcast";
constexpr const char* kExpectNumber = "a whole number like 6 or -70";
constexpr const char* kExpectRate = "a rate in Mb/s like 1, 5.5 or 54";
constexpr const char* kExpectContains = "'contains' or 'starts-with'";
constexpr const char* kExpectBytes =
    "bytes as hex (01:02:ff or 0102ff) or as \"text\" in double quotes";
constexpr const char* kTooLong = "a shorter filter (too many terms or pattern bytes)";
constexpr const char* kTooDeep = "fewer nested parentheses or 'not's";

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_' || c == ':';
}

enum class Token : uint8_t {
  kEnd,
  kWord,
  kString,
  kLParen,
  kRParen,
  kNot,
  kAnd,
  kOr,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kInvalid,
};

}  // namespace

// Recursive descent over the text, emitting instructions as it goes. Each method returns
// false after recording the first error.
class FilterCompiler {
 public:
  FilterCompiler(Filter& filter, std::string_view text) : f_(filter), text_(text) { Lex(); }

  Status Run(ParseError* error) {
    if (token_ != Token::kEnd) {
      if (ParseOr() && token_ != Token::kEnd) Fail(kExpectEnd);
    }
    if (!status_.ok() && error != nullptr) *error = error_;
    return status_;
  }

 private:
  // Lexing: token_, start_ and the word or string span.
  void Lex() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
    start_ = pos_;
    if (pos_ == text_.size()) {
      token_ = Token::kEnd;
      return;
    }
    const char c = text_[pos_];
    const char next = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    auto two = [&](Token t) {
      pos_ += 2;
      token_ = t;
    };
    auto one = [&](Token t) {
      pos_ += 1;
      token_ = t;
    };
    switch (c) {
      case '(': return one(Token::kLParen);
      case ')': return one(Token::kRParen);
      case '!': return next == '=' ? two(Token::kNe) : one(Token::kNot);
      case '=': return next == '=' ? two(Token::kEq) : one(Token::kInvalid);
      case '<': return next == '=' ? two(Token::kLe) : one(Token::kLt);
      case '>': return next == '=' ? two(Token::kGe) : one(Token::kGt);
      case '&': return next == '&' ? two(Token::kAnd) : one(Token::kInvalid);
      case '|': return next == '|' ? two(Token::kOr) : one(Token::kInvalid);
      case '"': return LexString();
      default: break;
    }
    if (!IsWordChar(c)) return one(Token::kInvalid);
    while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
    word_ = text_.substr(start_, pos_ - start_);
    token_ = Token::kWord;
    if (EqualsIgnoreCase(word_, "and")) token_ = Token::kAnd;
    if (EqualsIgnoreCase(word_, "or")) token_ = Token::kOr;
    if (EqualsIgnoreCase(word_, "not")) token_ = Token::kNot;
  }

  // A "..." string; its bytes (escapes \" \\ \xNN resolved) go to the pool when used, so
  // here only the span is checked and kept.
  void LexString() {
    ++pos_;
    const size_t begin = pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\') ++pos_;
      ++pos_;
    }
    if (pos_ >= text_.size()) {
      token_ = Token::kInvalid;
      pos_ = text_.size();
      return;
    }
    word_ = text_.substr(begin, pos_ - begin);
    ++pos_;
    token_ = Token::kString;
  }

  bool Fail(const char* expected, Status status = Status::InvalidArgument()) {
    if (status_.ok()) {
      status_ = status;
      error_ = {start_, expected};
    }
    return false;
  }

  bool Emit(const Instruction& instruction) {
    if (f_.count_ == Filter::kMaxInstructions) return Fail(kTooLong, Status::ResourceExhausted());
    f_.code_[f_.count_++] = instruction;
    return true;
  }

  bool ParseOr() {
    if (!ParseAnd()) return false;
    while (token_ == Token::kOr) {
      Lex();
      if (!Junction(Op::kJumpIfTrue, &FilterCompiler::ParseAnd)) return false;
    }
    return true;
  }

  bool ParseAnd() {
    if (!ParseUnary()) return false;
    while (token_ == Token::kAnd) {
      Lex();
      if (!Junction(Op::kJumpIfFalse, &FilterCompiler::ParseUnary)) return false;
    }
    return true;
  }

  // Short circuit: the jump skips the right operand when the left one decides; the single
  // result register then holds the value of the whole junction either way.
  bool Junction(Op jump, bool (FilterCompiler::*right)()) {
    const size_t at = f_.count_;
    if (!Emit({jump}) || !(this->*right)()) return false;
    f_.code_[at].a = static_cast<uint16_t>(f_.count_);
    return true;
  }

  bool ParseUnary() {
    if (++depth_ > Filter::kMaxDepth) return Fail(kTooDeep, Status::ResourceExhausted());
    bool ok;
    if (token_ == Token::kNot) {
      Lex();
      ok = ParseUnary() && Emit({Op::kNot});
    } else if (token_ == Token::kLParen) {
      Lex();
      ok = ParseOr();
      if (ok) {
        ok = token_ == Token::kRParen ? true : Fail(kExpectClose);
        if (ok) Lex();
      }
    } else {
      ok = ParseTest();
    }
    --depth_;
    return ok;
  }

  bool ParseTest() {
    if (token_ != Token::kWord) return Fail(kExpectTest);
    const Field* field = nullptr;
    for (const Field& f : kFields) {
      if (EqualsIgnoreCase(f.name, word_)) field = &f;
    }
    if (field == nullptr) return Fail(kExpectTest);
    Lex();
    switch (field->kind) {
      case FieldKind::kType: return Emit({Op::kType, 0, 0, 0, field->id});
      case FieldKind::kTypeSubtype: return Emit({Op::kTypeSubtype, 0, 0, 0, field->id});
      case FieldKind::kFlag: return Emit({Op::kFlag, field->id});
      case FieldKind::kAddress: return ParseAddress(field->id);
      case FieldKind::kNumber: return ParseNumber(field->id);
      case FieldKind::kPayload: return ParsePayload();
    }
    return Fail(kExpectTest);
  }

  bool ParseAddress(uint8_t id) {
    if (token_ != Token::kEq && token_ != Token::kNe) return Fail(kExpectEqNe);
    const uint16_t negate = token_ == Token::kNe ? 1 : 0;
    Lex();
    if (token_ != Token::kWord) return Fail(kExpectMac);
    MacAddress mac = MacAddress::Broadcast();
    if (!EqualsIgnoreCase(word_, "broadcast")) {
      auto parsed = MacAddress::Parse(word_.data(), word_.size());
      if (!parsed.ok()) return Fail(kExpectMac);
      mac = *parsed;
    }
    const size_t offset = f_.pool_size_;
    if (!PoolAppend(mac.octets().data(), MacAddress::kSize)) return false;
    Lex();
    return Emit({Op::kAddress, id, static_cast<uint16_t>(offset), negate});
  }

  bool ParseNumber(uint8_t id) {
    Compare compare;
    switch (token_) {
      case Token::kEq: compare = Compare::kEq; break;
      case Token::kNe: compare = Compare::kNe; break;
      case Token::kLt: compare = Compare::kLt; break;
      case Token::kLe: compare = Compare::kLe; break;
      case Token::kGt: compare = Compare::kGt; break;
      case Token::kGe: compare = Compare::kGe; break;
      default: return Fail(kExpectCompare);
    }
    Lex();
    const bool rate = id == Id(NumberField::kRate);
    int32_t value = 0;
    if (token_ != Token::kWord || !ParseInteger(word_, rate, &value)) {
      return Fail(rate ? kExpectRate : kExpectNumber);
    }
    Lex();
    if (id == Id(NumberField::kChannel) || id == Id(NumberField::kRssi) || rate)
      f_.needs_radio_ = true;
    return Emit({Op::kNumber, id, 0, Id(compare), value});
  }

  // A decimal integer in [-10^9, 10^9]; for rates, Mb/s with an optional ".5", returned
  // in 500 kb/s units as radiotap carries them.
  static bool ParseInteger(std::string_view w, bool rate, int32_t* out) {
    size_t i = 0;
    const bool negative = !rate && !w.empty() && w[0] == '-';
    if (negative) ++i;
    if (i == w.size()) return false;
    int64_t v = 0;
    for (; i < w.size() && w[i] >= '0' && w[i] <= '9'; ++i) {
      v = v * 10 + (w[i] - '0');
      if (v > 1'000'000'000) return false;
    }
    if (rate) {
      v *= 2;
      if (i + 2 == w.size() && w[i] == '.' && (w[i + 1] == '5' || w[i + 1] == '0')) {
        v += w[i + 1] == '5' ? 1 : 0;
        i += 2;
      }
    }
    if (i != w.size()) return false;
    *out = static_cast<int32_t>(negative ? -v : v);
    return true;
  }

  bool ParsePayload() {
    uint8_t mode;
    if (token_ == Token::kWord && EqualsIgnoreCase(word_, "contains")) {
      mode = 0;
    } else if (token_ == Token::kWord && EqualsIgnoreCase(word_, "starts-with")) {
      mode = 1;
    } else {
      return Fail(kExpectContains);
    }
    Lex();
    const size_t offset = f_.pool_size_;
    if (token_ == Token::kString) {
      if (!PoolString(word_)) return false;
    } else if (token_ == Token::kWord) {
      if (!PoolHex(word_)) return false;
    } else {
      return Fail(kExpectBytes);
    }
    Lex();
    f_.needs_payload_ = true;
    return Emit({Op::kPayload, mode, static_cast<uint16_t>(offset),
                 static_cast<uint16_t>(f_.pool_size_ - offset)});
  }

  bool PoolAppend(const uint8_t* data, size_t size) {
    if (f_.pool_size_ + size > Filter::kMaxPoolBytes) {
      return Fail(kTooLong, Status::ResourceExhausted());
    }
    std::memcpy(f_.pool_.data() + f_.pool_size_, data, size);
    f_.pool_size_ += size;
    return true;
  }

  bool PoolHex(std::string_view w) {
    int high = -1;
    for (char c : w) {
      if ((c == ':' || c == '-') && high < 0) continue;
      const int v = HexDigitValue(c);
      if (v < 0) return Fail(kExpectBytes);
      if (high < 0) {
        high = v;
      } else {
        const uint8_t b = static_cast<uint8_t>(high << 4 | v);
        if (!PoolAppend(&b, 1)) return false;
        high = -1;
      }
    }
    return high < 0 ? true : Fail(kExpectBytes);
  }

  bool PoolString(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
      uint8_t b = static_cast<uint8_t>(s[i]);
      if (s[i] == '\\') {
        ++i;
        if (s[i] == 'x' && i + 2 < s.size() && HexDigitValue(s[i + 1]) >= 0 &&
            HexDigitValue(s[i + 2]) >= 0) {
          b = static_cast<uint8_t>(HexDigitValue(s[i + 1]) << 4 | HexDigitValue(s[i + 2]));
          i += 2;
        } else if (s[i] == 'n') {
          b = '\n';
        } else if (s[i] == '"' || s[i] == '\\') {
          b = static_cast<uint8_t>(s[i]);
        } else {
          return Fail(kExpectBytes);
        }
      }
      if (!PoolAppend(&b, 1)) return false;
    }
    return true;
  }

  Filter& f_;
  std::string_view text_;
  size_t pos_ = 0;
  size_t start_ = 0;
  Token token_ = Token::kEnd;
  std::string_view word_;
  size_t depth_ = 0;
  Status status_;
  ParseError error_;
};

Status Filter::Compile(std::string_view text, ParseError* error) {
  count_ = 0;
  pool_size_ = 0;
  valid_ = true;
  needs_radio_ = false;
  needs_payload_ = false;
  Status status = FilterCompiler(*this, text).Run(error);
  if (!status.ok()) {
    count_ = 0;
    pool_size_ = 0;
    valid_ = false;
  }
  return status;
}

namespace {

bool FlagValue(Flag flag, const FrameRecord& r) {
  switch (flag) {
    case Flag::kRetry: return r.fc.retry();
    case Flag::kProtected: return r.fc.protected_frame();
    case Flag::kToDs: return r.fc.to_ds();
    case Flag::kFromDs: return r.fc.from_ds();
    case Flag::kMoreData: return r.fc.more_data();
    case Flag::kBadFcs: return r.bad_fcs;
    case Flag::kEspnow: return r.espnow;
    case Flag::kEspnowBroadcast: return r.espnow && r.addr1().is_broadcast();
    case Flag::kEspnowEncrypted: return r.espnow && r.espnow_encrypted;
  }
  return false;
}

bool SameMac(const MacAddress& mac, const uint8_t* pattern) {
  return std::memcmp(mac.octets().data(), pattern, MacAddress::kSize) == 0;
}

// Wireshark's semantics: a test of a field the frame does not have is false, for == and
// != alike; `addr != X` holds when no address of the frame is X.
bool AddressTest(AddressField field, bool negate, const uint8_t* pattern, const FrameRecord& r) {
  MacAddress mac;
  bool present = true;
  switch (field) {
    case AddressField::kAddr1:
    case AddressField::kRa: mac = r.addr1(); break;
    case AddressField::kAddr2:
    case AddressField::kTa:
      mac = r.addr2();
      present = r.addr_count >= 2;
      break;
    case AddressField::kAddr3:
      mac = r.addr3();
      present = r.addr_count >= 3;
      break;
    case AddressField::kAddr4:
      mac = r.addr4();
      present = r.addr_count >= 4;
      break;
    case AddressField::kSa: present = r.sa(&mac); break;
    case AddressField::kDa: present = r.da(&mac); break;
    case AddressField::kBssid: present = r.bssid(&mac); break;
    case AddressField::kEspnowSender:
      mac = r.addr2();
      present = r.espnow;
      break;
    case AddressField::kEspnowPeer:
      mac = r.addr1();
      present = r.espnow;
      break;
    case AddressField::kAny: {
      const MacAddress all[] = {r.addr1(), r.addr2(), r.addr3(), r.addr4()};
      bool any = false;
      for (uint8_t i = 0; i < r.addr_count && i < 4; ++i) any = any || SameMac(all[i], pattern);
      return r.addr_count > 0 && (negate ? !any : any);
    }
  }
  if (!present) return false;
  return SameMac(mac, pattern) != negate;
}

bool NumberTest(NumberField field, Compare compare, int32_t value, const FrameRecord& r) {
  int64_t v = 0;
  switch (field) {
    case NumberField::kChannel:
      if (r.channel == 0) return false;
      v = r.channel;
      break;
    case NumberField::kRssi:
      if (!r.has_rssi) return false;
      v = r.rssi_dbm;
      break;
    case NumberField::kLength: v = r.frame_len; break;
    case NumberField::kSeq:
      if (!r.has_seq) return false;
      v = r.seq.sequence();
      break;
    case NumberField::kRate:
      if (r.rate_500kbps == 0) return false;
      v = r.rate_500kbps;
      break;
    case NumberField::kEspnowVersion:
      if (!r.espnow) return false;
      v = r.espnow_version;
      break;
    case NumberField::kEspnowLength:
      if (!r.espnow) return false;
      v = r.espnow_payload_len;
      break;
  }
  switch (compare) {
    case Compare::kEq: return v == value;
    case Compare::kNe: return v != value;
    case Compare::kLt: return v < value;
    case Compare::kLe: return v <= value;
    case Compare::kGt: return v > value;
    case Compare::kGe: return v >= value;
  }
  return false;
}

bool PayloadTest(bool starts_with, const uint8_t* pattern, size_t size, const FrameRecord& r) {
  if (!r.espnow) return false;
  const ByteSpan payload = r.espnow_payload;
  if (size > payload.size()) return false;
  if (size == 0) return true;
  const auto* data = reinterpret_cast<const uint8_t*>(payload.data());
  if (starts_with) return std::memcmp(data, pattern, size) == 0;
  const size_t last = payload.size() - size;
  for (const uint8_t* p = data; p <= data + last;) {
    p = static_cast<const uint8_t*>(
        std::memchr(p, pattern[0], static_cast<size_t>(data + last + 1 - p)));
    if (p == nullptr) return false;
    if (std::memcmp(p, pattern, size) == 0) return true;
    ++p;
  }
  return false;
}

}  // namespace

bool Filter::Matches(const FrameRecord& r) const {
  if (!valid_) return false;
  bool acc = true;
  for (size_t pc = 0; pc < count_;) {
    const Instruction& in = code_[pc++];
    switch (in.op) {
      case Op::kType: acc = static_cast<int32_t>(r.fc.type()) == in.value; break;
      case Op::kTypeSubtype: acc = r.type_subtype() == in.value; break;
      case Op::kFlag: acc = FlagValue(static_cast<Flag>(in.arg), r); break;
      case Op::kAddress:
        acc = AddressTest(static_cast<AddressField>(in.arg), in.b != 0, &pool_[in.a], r);
        break;
      case Op::kNumber:
        acc = NumberTest(static_cast<NumberField>(in.arg), static_cast<Compare>(in.b), in.value, r);
        break;
      case Op::kPayload: acc = PayloadTest(in.arg == 1, &pool_[in.a], in.b, r); break;
      case Op::kNot: acc = !acc; break;
      case Op::kJumpIfFalse:
        if (!acc) pc = in.a;
        break;
      case Op::kJumpIfTrue:
        if (acc) pc = in.a;
        break;
    }
  }
  return acc;
}

}  // namespace airlab::sniff
