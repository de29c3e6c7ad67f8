#pragma once
// 802.11 information elements (IEEE 802.11-2016 9.4.2): an iterator over the element chain
// of a management body, typed readers for the elements a sniffer and an access point need,
// and a writer for builders. Everything is zero-copy: each view points into the caller's
// bytes and lives as long as they do.

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>

#include "core/base/bytes.h"
#include "core/base/result.h"

namespace airlab::wire {

// Element IDs this code reads or writes (Table 9-77); any other value is valid too.
enum class ElementId : uint8_t {
  kSsid = 0,
  kSupportedRates = 1,
  kDsParameterSet = 3,
  kTim = 5,
  kCountry = 7,
  kErp = 42,
  kHtCapabilities = 45,
  kRsn = 48,
  kExtendedSupportedRates = 50,
  kVendorSpecific = 221,
  kExtension = 255,  // the first data byte is an Element ID Extension
};

// Organizationally unique identifiers as 24-bit numbers, first byte on the air highest
// (18:fe:34 is 0x18fe34).
inline constexpr uint32_t kOuiIeee = 0x000fac;       // RSN cipher and AKM suites
inline constexpr uint32_t kOuiMicrosoft = 0x0050f2;  // WPA (type 1), WMM (type 2), WPS (4)
inline constexpr uint32_t kOuiWfa = 0x506f9a;        // Wi-Fi Alliance: P2P, OWE transition
inline constexpr uint32_t kOuiEspressif = 0x18fe34;  // ESP-NOW (type 4)

inline constexpr size_t kOuiSize = 3;
// Unchecked, like load_be16: the caller has checked the 3 bytes are there.
constexpr uint32_t LoadOui(ByteSpan b, size_t o) {
  return (uint32_t{load_u8(b, o)} << 16) | (uint32_t{load_u8(b, o + 1)} << 8) | load_u8(b, o + 2);
}
inline void PutOui(ByteBuilder& out, uint32_t oui) {
  out.PutU8(static_cast<uint8_t>(oui >> 16)).PutBe16(static_cast<uint16_t>(oui));
}

inline constexpr size_t kElementHeaderSize = 2;  // ID, length
inline constexpr size_t kMaxElementDataSize = 255;
inline constexpr size_t kMaxSsidSize = 32;

// One element. For ElementId::kExtension, `data` starts after the extension ID.
struct Element {
  ElementId id = ElementId::kSsid;
  uint8_t extension_id = 0;  // 0 unless id == kExtension
  ByteSpan data;
};

// The chain of elements filling a span (a management frame body after its fixed fields).
// Iterate with range-for; the walk stops at the end or at the first element whose length
// runs past the end, and status() says which. Elements before a broken one are still
// yielded: a sniffer keeps what it can read of a truncated capture.
class ElementList {
 public:
  class Iterator {
   public:
    using value_type = Element;
    using difference_type = std::ptrdiff_t;

    Iterator() = default;
    const Element& operator*() const { return current_; }
    const Element* operator->() const { return &current_; }
    Iterator& operator++() {
      Advance();
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      Advance();
      return before;
    }
    // At the end of the chain, or stopped at a broken element.
    friend bool operator==(const Iterator& it, std::default_sentinel_t) { return it.done_; }
    // kOk while elements remain and after a clean end; kOutOfRange once the walk stopped at
    // an element whose length (or missing extension ID) runs past the end.
    Status status() const { return status_; }

   private:
    friend class ElementList;
    explicit Iterator(ByteSpan bytes) : rest_(bytes) { Advance(); }
    void Advance();

    ByteSpan rest_;
    Element current_;
    Status status_;
    bool done_ = true;
  };

  constexpr ElementList() = default;
  explicit constexpr ElementList(ByteSpan bytes) : bytes_(bytes) {}

  Iterator begin() const { return Iterator(bytes_); }
  std::default_sentinel_t end() const { return {}; }
  ByteSpan bytes() const { return bytes_; }

  // kOk when the elements fill the span exactly; kOutOfRange when one runs past its end.
  Status status() const;

  // The first element with this ID (for kExtension, use FindExtension). kNotFound when there
  // is none; kOutOfRange when the walk broke before finding one.
  Result<Element> Find(ElementId id) const;
  Result<Element> FindExtension(uint8_t extension_id) const;

  // The first element of a typed reader below, found and parsed: `Get<Tim>()`. Returns
  // Find's errors, then T::Parse's.
  template <typename T>
  Result<T> Get() const {
    AIRLAB_TRY_ASSIGN(const Element element, Find(T::kId));
    return T::Parse(element.data);
  }

 private:
  ByteSpan bytes_;
};

// ---------------------------------------------------------------------------------------
// Typed readers. Each Parse takes an element's data (Element::data) and returns
// kOutOfRange when it is shorter than the element's fixed fields. Bytes past the fields a
// reader knows are ignored, as 802.11 tells receivers to do for extensible elements.

// SSID (0): 0 to 32 bytes, not necessarily text.
class Ssid {
 public:
  static constexpr ElementId kId = ElementId::kSsid;
  // kInvalidArgument when longer than 32 bytes.
  static Result<Ssid> Parse(ByteSpan data);

  ByteSpan bytes() const { return bytes_; }
  // Hidden networks send an empty SSID or one of zero bytes in their beacons.
  bool hidden() const;

 private:
  explicit Ssid(ByteSpan bytes) : bytes_(bytes) {}
  ByteSpan bytes_;
};

// One Supported Rates byte: the rate in 500 kb/s units, bit 7 = basic (BSSBasicRateSet).
struct Rate {
  uint8_t raw = 0;
  constexpr bool basic() const { return (raw & 0x80) != 0; }
  constexpr uint8_t units_500kbps() const { return raw & 0x7f; }
  // The "BSS membership selector" values (HT PHY 127, VHT PHY 126, SAE hash-to-element 123,
  // HE PHY 122) share the field with rates but are not rates (9.4.2.3).
  constexpr bool membership_selector() const {
    const uint8_t v = units_500kbps();
    return basic() && (v == 127 || v == 126 || v == 123 || v == 122);
  }
};

// The rates of Supported Rates (1) and Extended Supported Rates (50), read as one list.
class RateList {
 public:
  // One element's data; kOutOfRange when empty (the element holds at least one rate).
  static Result<RateList> Parse(ByteSpan data);
  // Supported Rates and, when present, Extended Supported Rates. Find's errors for Supported
  // Rates, kOutOfRange when either is empty or the walk breaks before Extended Supported
  // Rates would be found.
  static Result<RateList> Read(const ElementList& elements);

  size_t size() const { return supported_.size() + extended_.size(); }
  Rate operator[](size_t i) const;  // i < size()
  // The highest rate that is not a membership selector, in 500 kb/s units; 0 if none.
  uint8_t max_units_500kbps() const;

 private:
  RateList(ByteSpan supported, ByteSpan extended) : supported_(supported), extended_(extended) {}
  ByteSpan supported_;
  ByteSpan extended_;
};

// DS Parameter Set (3): the channel the frame was sent for (which may differ from the
// channel it was heard on: 2.4 GHz channels overlap).
class DsParameterSet {
 public:
  static constexpr ElementId kId = ElementId::kDsParameterSet;
  static Result<DsParameterSet> Parse(ByteSpan data);
  uint8_t channel() const { return channel_; }

 private:
  explicit DsParameterSet(uint8_t channel) : channel_(channel) {}
  uint8_t channel_;
};

// TIM (5): DTIM count and period, and which associated stations have frames buffered.
class Tim {
 public:
  static constexpr ElementId kId = ElementId::kTim;
  // kOutOfRange when shorter than 4 bytes (count, period, bitmap control, one bitmap byte).
  static Result<Tim> Parse(ByteSpan data);

  uint8_t dtim_count() const { return load_u8(data_, 0); }
  uint8_t dtim_period() const { return load_u8(data_, 1); }
  // Group-addressed frames are buffered (bit 0 of Bitmap Control, in DTIM beacons).
  bool multicast() const { return (load_u8(data_, 2) & 0x01) != 0; }
  // The byte of the full 251-byte virtual bitmap that partial_bitmap() starts at (N1).
  size_t bitmap_offset() const { return load_u8(data_, 2) & 0xfe; }
  ByteSpan partial_bitmap() const { return data_.subspan(3); }
  // True when the bit of association ID `aid` (0..2007) is set in the bitmap.
  bool has_traffic(uint16_t aid) const;

 private:
  explicit Tim(ByteSpan data) : data_(data) {}
  ByteSpan data_;
};

// Country (7): a regulatory domain and its channel / power triplets.
class Country {
 public:
  static constexpr ElementId kId = ElementId::kCountry;
  // One first-channel / count / max-power triplet; first_channel >= 201 marks an operating
  // extension triplet (extension ID, operating class, coverage class) instead.
  struct Triplet {
    uint8_t first_channel = 0;
    uint8_t num_channels = 0;
    int8_t max_tx_power_dbm = 0;
    constexpr bool operating_extension() const { return first_channel >= 201; }
  };

  // kOutOfRange when shorter than the 3-byte country string.
  static Result<Country> Parse(ByteSpan data);

  // Two ISO 3166 letters and the environment: ' ' any, 'O' outdoor, 'I' indoor,
  // 'X' non-country, or 0x04 (Table E-4 operating classes).
  std::array<char, 3> code() const;
  size_t triplet_count() const { return (data_.size() - 3) / 3; }  // a pad byte is ignored
  Triplet triplet(size_t i) const;                                 // i < triplet_count()

 private:
  explicit Country(ByteSpan data) : data_(data) {}
  ByteSpan data_;
};

// ERP (42): 802.11g protection state of the BSS.
class Erp {
 public:
  static constexpr ElementId kId = ElementId::kErp;
  static Result<Erp> Parse(ByteSpan data);
  uint8_t raw() const { return raw_; }
  bool non_erp_present() const { return (raw_ & 0x01) != 0; }
  bool use_protection() const { return (raw_ & 0x02) != 0; }
  bool barker_preamble_mode() const { return (raw_ & 0x04) != 0; }

 private:
  explicit Erp(uint8_t raw) : raw_(raw) {}
  uint8_t raw_;
};

// HT Capabilities (45): its presence says 802.11n; a few fields say how capable.
class HtCapabilities {
 public:
  static constexpr ElementId kId = ElementId::kHtCapabilities;
  // kOutOfRange when shorter than the 26 bytes of the element.
  static Result<HtCapabilities> Parse(ByteSpan data);

  uint16_t info() const { return load_le16(data_, 0); }
  bool supports_40mhz() const { return (info() & 0x0002) != 0; }
  bool short_gi_20() const { return (info() & 0x0020) != 0; }
  bool short_gi_40() const { return (info() & 0x0040) != 0; }
  // Receive spatial streams: how many of the first four Rx MCS bitmask bytes (MCS 0-31,
  // eight per stream) are non-zero.
  uint8_t spatial_streams() const;

 private:
  explicit HtCapabilities(ByteSpan data) : data_(data) {}
  ByteSpan data_;
};

// Cipher suites by their type number under OUI 00-0F-AC (Table 9-131); the same numbers
// under the WPA OUI 00-50-F2 mean the same ciphers.
enum class CipherSuite : uint8_t {
  kUseGroup = 0,
  kWep40 = 1,
  kTkip = 2,
  kCcmp128 = 4,
  kWep104 = 5,
  kBipCmac128 = 6,
  kGroupAddressedNotAllowed = 7,
  kGcmp128 = 8,
  kGcmp256 = 9,
  kCcmp256 = 10,
  kBipGmac128 = 11,
  kBipGmac256 = 12,
  kBipCmac256 = 13,
  kNone = 0xfe,    // no cipher at all: an open or WEP network (not a wire value)
  kVendor = 0xff,  // another OUI's suite, or a type this code does not name
};

// AKM suite types under OUI 00-0F-AC (Table 9-133).
enum class Akm : uint8_t {
  kIeee8021x = 1,
  kPsk = 2,
  kFtIeee8021x = 3,
  kFtPsk = 4,
  kIeee8021xSha256 = 5,
  kPskSha256 = 6,
  kSae = 8,
  kFtSae = 9,
  kSuiteB = 11,
  kSuiteB192 = 12,
  kFtIeee8021xSha384 = 13,
  kOwe = 18,
  kSaeExtKey = 24,
  kFtSaeExtKey = 25,
};

// RSN (48), and the WPA vendor element (00-50-F2 type 1) that has the same layout.
class Rsn {
 public:
  static constexpr ElementId kId = ElementId::kRsn;
  // Every field after the version is optional but must be whole (9.4.2.25): a missing list
  // means the default (CCMP-128, 802.1X). kOutOfRange when a field is cut or a count runs
  // past the data; kUnimplemented when the version is not 1.
  static Result<Rsn> Parse(ByteSpan data);
  // The body of a WPA vendor element after its OUI and type.
  static Result<Rsn> ParseWpa(ByteSpan data);

  bool wpa() const { return oui_ == kOuiMicrosoft; }
  CipherSuite group_cipher() const;
  size_t pairwise_count() const;
  CipherSuite pairwise_cipher(size_t i) const;  // i < pairwise_count()
  // The strongest pairwise cipher offered (GCMP-256 > CCMP-256 > GCMP > CCMP > TKIP > WEP).
  CipherSuite best_pairwise_cipher() const;
  size_t akm_count() const;
  // The suite type when its OUI is this element's own (00-0F-AC, or 00-50-F2 for WPA),
  // else 0.
  uint8_t akm(size_t i) const;  // i < akm_count()
  bool has_akm(Akm akm) const;
  uint16_t capabilities() const { return capabilities_; }
  bool mfp_required() const { return (capabilities_ & 0x0040) != 0; }
  bool mfp_capable() const { return (capabilities_ & 0x0080) != 0; }

 private:
  static Result<Rsn> ParseSuites(ByteSpan data, uint32_t oui);
  Rsn() = default;
  CipherSuite Decode(ByteSpan list, size_t i) const;

  uint32_t oui_ = kOuiIeee;
  uint32_t group_ = 0;  // full selector, OUI << 8 | type
  ByteSpan pairwise_;   // 4-byte selectors, empty when the list is absent
  ByteSpan akms_;       // idem
  uint16_t capabilities_ = 0;
};

// A Vendor Specific element (221): OUI, the vendor's type byte, then the vendor's data.
struct VendorElement {
  uint32_t oui = 0;
  uint8_t type = 0;
  ByteSpan data;  // after the type byte
  // kOutOfRange when shorter than OUI + type (a bare 3-byte OUI has no type to match on).
  static Result<VendorElement> Parse(ByteSpan data);
  // The first vendor element with this OUI and type; kNotFound / kOutOfRange as Find.
  static Result<VendorElement> Find(const ElementList& elements, uint32_t oui, uint8_t type);
};

// What a network asks of its stations, as a Wi-Fi scan list shows it.
enum class SecurityMode : uint8_t {
  kOpen,
  kWep,
  kWpa,             // the WPA vendor element, no RSN
  kWpa2,            // RSN with PSK or 802.1X
  kWpa3Transition,  // RSN offering both PSK and SAE
  kWpa3,            // SAE only, or 802.1X with SHA-256 and management frame protection
                    // required, or Suite B
  kOwe,             // Opportunistic Wireless Encryption ("Enhanced Open")
};

struct Security {
  SecurityMode mode = SecurityMode::kOpen;
  bool enterprise = false;                    // 802.1X rather than a passphrase
  CipherSuite pairwise = CipherSuite::kNone;  // the best offered; kNone for open and WEP
};

// Classifies a Beacon or Probe Response from its Privacy capability bit and elements. An
// RSN element wins over WPA. Returns the errors of reading those elements: kOutOfRange when
// the chain or the RSN/WPA element is broken, kUnimplemented for an unknown RSN version.
Result<Security> ClassifySecurity(bool privacy, const ElementList& elements);

// ---------------------------------------------------------------------------------------
// Writing

// What an RSN element offers: one group and one pairwise cipher, any AKMs.
struct RsnConfig {
  CipherSuite group = CipherSuite::kCcmp128;
  CipherSuite pairwise = CipherSuite::kCcmp128;
  std::span<const Akm> akms;
  uint16_t capabilities = 0;  // 0x80 MFP capable, 0x40 MFP required
};
inline constexpr Akm kAkmPsk[] = {Akm::kPsk};
inline constexpr Akm kAkmSae[] = {Akm::kSae};
inline constexpr Akm kAkmPskSae[] = {Akm::kPsk, Akm::kSae};
inline constexpr RsnConfig kWpa2Personal{.akms = kAkmPsk};
inline constexpr RsnConfig kWpa3Personal{.akms = kAkmSae, .capabilities = 0x00c0};
inline constexpr RsnConfig kWpa3Transition{.akms = kAkmPskSae, .capabilities = 0x0080};

// Appends elements to a ByteBuilder. Has its own sticky status on top of the builder's:
// an element whose data would not fit in 255 bytes (or breaks its element's own limit,
// as an SSID over 32 bytes) sets kInvalidArgument and nothing more is written.
class ElementWriter {
 public:
  explicit ElementWriter(ByteBuilder& out) : out_(out) {}
  ElementWriter(const ElementWriter&) = delete;
  ElementWriter& operator=(const ElementWriter&) = delete;

  ElementWriter& Add(ElementId id, ByteSpan data);
  ElementWriter& AddExtension(uint8_t extension_id, ByteSpan data);
  ElementWriter& AddVendor(uint32_t oui, uint8_t type, ByteSpan data);
  ElementWriter& AddSsid(ByteSpan ssid);
  // Rate bytes as Rate::raw. Supported Rates holds the first 8 (empty is kInvalidArgument);
  // Extended Supported Rates, written later in a frame (after DS Parameter Set, TIM, Country,
  // ERP), the rest, and is left out when there is no rest.
  ElementWriter& AddRates(std::span<const uint8_t> rates);
  ElementWriter& AddExtendedRates(std::span<const uint8_t> rates);
  ElementWriter& AddDsParameterSet(uint8_t channel);
  // A TIM with a partial virtual bitmap starting at byte `bitmap_offset` (even). An empty
  // bitmap is written as one zero byte, as the standard asks.
  ElementWriter& AddTim(uint8_t dtim_count, uint8_t dtim_period, bool multicast,
                        ByteSpan partial_bitmap = {}, uint8_t bitmap_offset = 0);
  // `code` as Country::code() returns it: two letters and the environment.
  ElementWriter& AddCountry(const std::array<char, 3>& code,
                            std::span<const Country::Triplet> triplets);
  ElementWriter& AddErp(bool non_erp_present, bool use_protection, bool barker_preamble_mode);
  ElementWriter& AddRsn(const RsnConfig& config);

  // kOk; the builder's kResourceExhausted; or kInvalidArgument as above.
  Status status() const { return status_.ok() ? out_.status() : status_; }
  bool ok() const { return status().ok(); }

 private:
  // Starts an element whose length is patched by Close(); returns where it starts.
  size_t Open(ElementId id);
  void Close(size_t start);
  // Drops what was written from `start` on and sets kInvalidArgument.
  void Fail(size_t start);
  // False (after Fail when `valid` is false) when nothing more may be written.
  bool Require(bool valid);

  ByteBuilder& out_;
  Status status_;
};

}  // namespace airlab::wire
