#include "core/wire/elements.h"

#include <algorithm>

namespace airlab::wire {
namespace {

constexpr size_t kSuiteSize = 4;  // OUI + type
constexpr size_t kHtCapabilitiesSize = 26;
constexpr size_t kHtMcsOffset = 3;        // after HT Capability Information and A-MPDU Parameters
constexpr size_t kMaxSupportedRates = 8;  // 9.4.2.3: more go into Extended Supported Rates

uint32_t Selector(uint32_t oui, uint8_t type) { return oui << 8 | type; }

CipherSuite CipherFromSelector(uint32_t selector, uint32_t oui) {
  if (selector >> 8 != oui) return CipherSuite::kVendor;
  const uint8_t type = selector & 0xff;
  switch (static_cast<CipherSuite>(type)) {
    case CipherSuite::kUseGroup:
    case CipherSuite::kWep40:
    case CipherSuite::kTkip:
    case CipherSuite::kCcmp128:
    case CipherSuite::kWep104:
    case CipherSuite::kBipCmac128:
    case CipherSuite::kGroupAddressedNotAllowed:
    case CipherSuite::kGcmp128:
    case CipherSuite::kGcmp256:
    case CipherSuite::kCcmp256:
    case CipherSuite::kBipGmac128:
    case CipherSuite::kBipGmac256:
    case CipherSuite::kBipCmac256: return static_cast<CipherSuite>(type);
    default: return CipherSuite::kVendor;
  }
}

// Higher is stronger; ciphers that are not pairwise ciphers rank 0.
int PairwiseStrength(CipherSuite c) {
  switch (c) {
    case CipherSuite::kGcmp256: return 6;
    case CipherSuite::kCcmp256: return 5;
    case CipherSuite::kGcmp128: return 4;
    case CipherSuite::kCcmp128: return 3;
    case CipherSuite::kTkip: return 2;
    case CipherSuite::kWep104: return 1;
    case CipherSuite::kWep40: return 1;
    default: return 0;
  }
}

// Reads a u16 count and that many suites at `*offset`: an absent list (the data ends
// before the count) leaves `list` empty; a cut count or list is kOutOfRange.
Status ReadSuiteList(ByteSpan data, size_t* offset, ByteSpan* list) {
  if (*offset == data.size()) return Status::Ok();
  if (!InBounds(data.size(), *offset, 2)) return Status::OutOfRange();
  const size_t count = load_le16(data, *offset);
  *offset += 2;
  if (!InBounds(data.size(), *offset, count * kSuiteSize)) return Status::OutOfRange();
  *list = data.subspan(*offset, count * kSuiteSize);
  *offset += count * kSuiteSize;
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// ElementList

void ElementList::Iterator::Advance() {
  if (rest_.empty()) {
    done_ = true;
    return;
  }
  if (rest_.size() < kElementHeaderSize) {
    done_ = true;
    status_ = Status::OutOfRange();
    return;
  }
  const size_t length = load_u8(rest_, 1);
  if (rest_.size() - kElementHeaderSize < length) {
    done_ = true;
    status_ = Status::OutOfRange();
    return;
  }
  current_.id = static_cast<ElementId>(load_u8(rest_, 0));
  current_.data = rest_.subspan(kElementHeaderSize, length);
  current_.extension_id = 0;
  if (current_.id == ElementId::kExtension) {
    if (length == 0) {  // the extension ID itself is missing
      done_ = true;
      status_ = Status::OutOfRange();
      return;
    }
    current_.extension_id = load_u8(current_.data, 0);
    current_.data = current_.data.subspan(1);
  }
  rest_ = rest_.subspan(kElementHeaderSize + length);
  done_ = false;
}

Status ElementList::status() const {
  Iterator it = begin();
  while (it != end()) ++it;
  return it.status();
}

Result<Element> ElementList::Find(ElementId id) const {
  Iterator it = begin();
  for (; it != end(); ++it) {
    if (it->id == id) return *it;
  }
  return it.status().ok() ? Status::NotFound() : it.status();
}

Result<Element> ElementList::FindExtension(uint8_t extension_id) const {
  Iterator it = begin();
  for (; it != end(); ++it) {
    if (it->id == ElementId::kExtension && it->extension_id == extension_id) return *it;
  }
  return it.status().ok() ? Status::NotFound() : it.status();
}

// ---------------------------------------------------------------------------------------
// Typed readers

Result<Ssid> Ssid::Parse(ByteSpan data) {
  if (data.size() > kMaxSsidSize) return Status::InvalidArgument();
  return Ssid(data);
}

bool Ssid::hidden() const {
  return std::all_of(bytes_.begin(), bytes_.end(), [](std::byte b) { return b == std::byte{0}; });
}

Result<RateList> RateList::Parse(ByteSpan data) {
  if (data.empty()) return Status::OutOfRange();
  return RateList(data, {});
}

Result<RateList> RateList::Read(const ElementList& elements) {
  AIRLAB_TRY_ASSIGN(const Element supported, elements.Find(ElementId::kSupportedRates));
  AIRLAB_TRY_ASSIGN(RateList list, Parse(supported.data));
  const Result<Element> extended = elements.Find(ElementId::kExtendedSupportedRates);
  if (extended.ok()) {
    if (extended->data.empty()) return Status::OutOfRange();
    list.extended_ = extended->data;
  } else if (extended.status() != Status::NotFound()) {
    return extended.status();
  }
  return list;
}

Rate RateList::operator[](size_t i) const {
  const ByteSpan part = i < supported_.size() ? supported_ : extended_;
  return Rate{load_u8(part, i < supported_.size() ? i : i - supported_.size())};
}

uint8_t RateList::max_units_500kbps() const {
  uint8_t best = 0;
  for (size_t i = 0; i < size(); ++i) {
    const Rate r = (*this)[i];
    if (!r.membership_selector()) best = std::max(best, r.units_500kbps());
  }
  return best;
}

Result<DsParameterSet> DsParameterSet::Parse(ByteSpan data) {
  if (data.empty()) return Status::OutOfRange();
  return DsParameterSet(load_u8(data, 0));
}

Result<Tim> Tim::Parse(ByteSpan data) {
  if (data.size() < 4) return Status::OutOfRange();
  return Tim(data);
}

bool Tim::has_traffic(uint16_t aid) const {
  const size_t byte = aid / 8;
  if (byte < bitmap_offset() || byte - bitmap_offset() >= partial_bitmap().size()) return false;
  return (load_u8(partial_bitmap(), byte - bitmap_offset()) >> (aid % 8)) & 1;
}

Result<Country> Country::Parse(ByteSpan data) {
  if (data.size() < 3) return Status::OutOfRange();
  return Country(data);
}

std::array<char, 3> Country::code() const {
  return {static_cast<char>(load_u8(data_, 0)), static_cast<char>(load_u8(data_, 1)),
          static_cast<char>(load_u8(data_, 2))};
}

Country::Triplet Country::triplet(size_t i) const {
  const size_t o = 3 + 3 * i;
  return {load_u8(data_, o), load_u8(data_, o + 1), static_cast<int8_t>(load_u8(data_, o + 2))};
}

Result<Erp> Erp::Parse(ByteSpan data) {
  if (data.empty()) return Status::OutOfRange();
  return Erp(load_u8(data, 0));
}

Result<HtCapabilities> HtCapabilities::Parse(ByteSpan data) {
  if (data.size() < kHtCapabilitiesSize) return Status::OutOfRange();
  return HtCapabilities(data);
}

uint8_t HtCapabilities::spatial_streams() const {
  uint8_t streams = 0;
  for (size_t i = 0; i < 4; ++i) streams += load_u8(data_, kHtMcsOffset + i) != 0 ? 1 : 0;
  return streams;
}

// ---------------------------------------------------------------------------------------
// RSN

Result<Rsn> Rsn::Parse(ByteSpan data) { return ParseSuites(data, kOuiIeee); }
Result<Rsn> Rsn::ParseWpa(ByteSpan data) { return ParseSuites(data, kOuiMicrosoft); }

Result<Rsn> Rsn::ParseSuites(ByteSpan data, uint32_t oui) {
  if (data.size() < 2) return Status::OutOfRange();
  if (load_le16(data, 0) != 1) return Status::Unimplemented();
  Rsn rsn;
  rsn.oui_ = oui;
  // The defaults of 9.4.2.25.1 for what is left out; WPA's were TKIP.
  const uint8_t default_cipher =
      static_cast<uint8_t>(oui == kOuiMicrosoft ? CipherSuite::kTkip : CipherSuite::kCcmp128);
  rsn.group_ = Selector(oui, default_cipher);
  size_t offset = 2;
  if (offset < data.size()) {
    if (!InBounds(data.size(), offset, kSuiteSize)) return Status::OutOfRange();
    rsn.group_ = LoadOui(data, offset) << 8 | load_u8(data, offset + 3);
    offset += kSuiteSize;
  }
  AIRLAB_TRY(ReadSuiteList(data, &offset, &rsn.pairwise_));
  AIRLAB_TRY(ReadSuiteList(data, &offset, &rsn.akms_));
  if (offset < data.size()) {
    if (!InBounds(data.size(), offset, 2)) return Status::OutOfRange();
    rsn.capabilities_ = load_le16(data, offset);
  }
  // PMKIDs and the group management cipher may follow; nothing here needs them.
  return rsn;
}

CipherSuite Rsn::Decode(ByteSpan list, size_t i) const {
  const size_t o = i * kSuiteSize;
  return CipherFromSelector(LoadOui(list, o) << 8 | load_u8(list, o + 3), oui_);
}

CipherSuite Rsn::group_cipher() const { return CipherFromSelector(group_, oui_); }

size_t Rsn::pairwise_count() const { return pairwise_.empty() ? 1 : pairwise_.size() / kSuiteSize; }

CipherSuite Rsn::pairwise_cipher(size_t i) const {
  if (pairwise_.empty()) return wpa() ? CipherSuite::kTkip : CipherSuite::kCcmp128;
  return Decode(pairwise_, i);
}

CipherSuite Rsn::best_pairwise_cipher() const {
  CipherSuite best = pairwise_cipher(0);
  for (size_t i = 1; i < pairwise_count(); ++i) {
    const CipherSuite c = pairwise_cipher(i);
    if (PairwiseStrength(c) > PairwiseStrength(best)) best = c;
  }
  return best;
}

size_t Rsn::akm_count() const { return akms_.empty() ? 1 : akms_.size() / kSuiteSize; }

uint8_t Rsn::akm(size_t i) const {
  if (akms_.empty()) return static_cast<uint8_t>(Akm::kIeee8021x);
  const size_t o = i * kSuiteSize;
  return LoadOui(akms_, o) == oui_ ? load_u8(akms_, o + 3) : 0;
}

bool Rsn::has_akm(Akm wanted) const {
  for (size_t i = 0; i < akm_count(); ++i) {
    if (akm(i) == static_cast<uint8_t>(wanted)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Vendor elements and security

Result<VendorElement> VendorElement::Parse(ByteSpan data) {
  if (data.size() < 4) return Status::OutOfRange();
  return VendorElement{LoadOui(data, 0), load_u8(data, 3), data.subspan(4)};
}

Result<VendorElement> VendorElement::Find(const ElementList& elements, uint32_t oui, uint8_t type) {
  ElementList::Iterator it = elements.begin();
  for (; it != elements.end(); ++it) {
    if (it->id != ElementId::kVendorSpecific) continue;
    const Result<VendorElement> vendor = Parse(it->data);
    if (vendor.ok() && vendor->oui == oui && vendor->type == type) return vendor;
  }
  return it.status().ok() ? Status::NotFound() : it.status();
}

Result<Security> ClassifySecurity(bool privacy, const ElementList& elements) {
  Security security;
  Result<Rsn> rsn = elements.Get<Rsn>();
  if (rsn.status() == Status::NotFound()) {
    const Result<VendorElement> wpa = VendorElement::Find(elements, kOuiMicrosoft, 1);
    if (wpa.status() == Status::NotFound()) {
      security.mode = privacy ? SecurityMode::kWep : SecurityMode::kOpen;
      return security;
    }
    AIRLAB_TRY(wpa);
    rsn = Rsn::ParseWpa(wpa->data);
  }
  AIRLAB_TRY(rsn);
  security.pairwise = rsn->best_pairwise_cipher();
  // WPA's AKM numbers 1 and 2 mean 802.1X and PSK, as RSN's do.
  security.enterprise = rsn->has_akm(Akm::kIeee8021x) || rsn->has_akm(Akm::kFtIeee8021x) ||
                        rsn->has_akm(Akm::kIeee8021xSha256) || rsn->has_akm(Akm::kSuiteB) ||
                        rsn->has_akm(Akm::kSuiteB192) || rsn->has_akm(Akm::kFtIeee8021xSha384);
  if (rsn->wpa()) {
    security.mode = SecurityMode::kWpa;
    return security;
  }
  const bool sae = rsn->has_akm(Akm::kSae) || rsn->has_akm(Akm::kFtSae) ||
                   rsn->has_akm(Akm::kSaeExtKey) || rsn->has_akm(Akm::kFtSaeExtKey);
  const bool psk =
      rsn->has_akm(Akm::kPsk) || rsn->has_akm(Akm::kFtPsk) || rsn->has_akm(Akm::kPskSha256);
  if (sae) {
    security.mode = psk ? SecurityMode::kWpa3Transition : SecurityMode::kWpa3;
  } else if (psk) {
    security.mode = SecurityMode::kWpa2;
  } else if (security.enterprise) {
    // WPA3-Enterprise: Suite B, or SHA-256 802.1X alone with protected management frames.
    const bool wpa3 = rsn->has_akm(Akm::kSuiteB) || rsn->has_akm(Akm::kSuiteB192) ||
                      rsn->has_akm(Akm::kFtIeee8021xSha384) ||
                      (rsn->has_akm(Akm::kIeee8021xSha256) && !rsn->has_akm(Akm::kIeee8021x) &&
                       rsn->mfp_required());
    security.mode = wpa3 ? SecurityMode::kWpa3 : SecurityMode::kWpa2;
  } else if (rsn->has_akm(Akm::kOwe)) {
    security.mode = SecurityMode::kOwe;
  } else {
    security.mode = SecurityMode::kWpa2;  // an RSN with AKMs this code does not name
  }
  return security;
}

// ---------------------------------------------------------------------------------------
// ElementWriter

size_t ElementWriter::Open(ElementId id) {
  const size_t start = out_.size();
  out_.PutU8(static_cast<uint8_t>(id)).PutU8(0);
  return start;
}

void ElementWriter::Close(size_t start) {
  if (!ok()) return;
  const size_t length = out_.size() - start - kElementHeaderSize;
  if (length > kMaxElementDataSize) return Fail(start);
  store_u8(out_.writable_bytes(), start + 1, static_cast<uint8_t>(length));
}

void ElementWriter::Fail(size_t start) {
  out_.Truncate(start);
  status_ = Status::InvalidArgument();
}

bool ElementWriter::Require(bool valid) {
  if (!ok()) return false;
  if (!valid) Fail(out_.size());
  return valid;
}

ElementWriter& ElementWriter::Add(ElementId id, ByteSpan data) {
  // Checked before writing, so an oversize element is kInvalidArgument even when it would
  // not fit the buffer either.
  if (!Require(data.size() <= kMaxElementDataSize)) return *this;
  const size_t start = Open(id);
  out_.Append(data);
  Close(start);
  return *this;
}

ElementWriter& ElementWriter::AddExtension(uint8_t extension_id, ByteSpan data) {
  if (!Require(data.size() <= kMaxElementDataSize - 1)) return *this;
  const size_t start = Open(ElementId::kExtension);
  out_.PutU8(extension_id).Append(data);
  Close(start);
  return *this;
}

ElementWriter& ElementWriter::AddVendor(uint32_t oui, uint8_t type, ByteSpan data) {
  if (!Require(data.size() <= kMaxElementDataSize - kOuiSize - 1)) return *this;
  const size_t start = Open(ElementId::kVendorSpecific);
  PutOui(out_, oui);
  out_.PutU8(type).Append(data);
  Close(start);
  return *this;
}

ElementWriter& ElementWriter::AddSsid(ByteSpan ssid) {
  if (!Require(ssid.size() <= kMaxSsidSize)) return *this;
  return Add(ElementId::kSsid, ssid);
}

ElementWriter& ElementWriter::AddRates(std::span<const uint8_t> rates) {
  if (!Require(!rates.empty())) return *this;
  const size_t count = std::min(rates.size(), kMaxSupportedRates);
  return Add(ElementId::kSupportedRates, AsBytes(rates.data(), count));
}

ElementWriter& ElementWriter::AddExtendedRates(std::span<const uint8_t> rates) {
  if (rates.size() <= kMaxSupportedRates) return *this;
  return Add(ElementId::kExtendedSupportedRates,
             AsBytes(rates.data() + kMaxSupportedRates, rates.size() - kMaxSupportedRates));
}

ElementWriter& ElementWriter::AddDsParameterSet(uint8_t channel) {
  const std::byte data[] = {std::byte{channel}};
  return Add(ElementId::kDsParameterSet, data);
}

ElementWriter& ElementWriter::AddTim(uint8_t dtim_count, uint8_t dtim_period, bool multicast,
                                     ByteSpan partial_bitmap, uint8_t bitmap_offset) {
  if (!Require(bitmap_offset % 2 == 0)) return *this;
  const size_t start = Open(ElementId::kTim);
  out_.PutU8(dtim_count).PutU8(dtim_period).PutU8(bitmap_offset | (multicast ? 1 : 0));
  if (partial_bitmap.empty()) {
    out_.PutU8(0);
  } else {
    out_.Append(partial_bitmap);
  }
  Close(start);
  return *this;
}

ElementWriter& ElementWriter::AddCountry(const std::array<char, 3>& code,
                                         std::span<const Country::Triplet> triplets) {
  if (!ok()) return *this;
  const size_t start = Open(ElementId::kCountry);
  out_.Append(AsBytes(code.data(), code.size()));
  for (const Country::Triplet& t : triplets) {
    out_.PutU8(t.first_channel).PutU8(t.num_channels);
    out_.PutU8(static_cast<uint8_t>(t.max_tx_power_dbm));
  }
  // 9.4.2.9: the element's length is even, padded with one zero byte.
  if ((out_.size() - start - kElementHeaderSize) % 2 != 0) out_.PutU8(0);
  Close(start);
  return *this;
}

ElementWriter& ElementWriter::AddErp(bool non_erp_present, bool use_protection,
                                     bool barker_preamble_mode) {
  const std::byte data[] = {
      std::byte{static_cast<uint8_t>((non_erp_present ? 0x01 : 0) | (use_protection ? 0x02 : 0) |
                                     (barker_preamble_mode ? 0x04 : 0))}};
  return Add(ElementId::kErp, data);
}

ElementWriter& ElementWriter::AddRsn(const RsnConfig& config) {
  if (!ok()) return *this;
  const auto put_suite = [this](uint8_t type) { out_.PutBe32(Selector(kOuiIeee, type)); };
  const size_t start = Open(ElementId::kRsn);
  out_.PutLe16(1);  // version
  put_suite(static_cast<uint8_t>(config.group));
  out_.PutLe16(1);
  put_suite(static_cast<uint8_t>(config.pairwise));
  out_.PutLe16(static_cast<uint16_t>(config.akms.size()));
  for (Akm akm : config.akms) put_suite(static_cast<uint8_t>(akm));
  out_.PutLe16(config.capabilities);
  Close(start);
  return *this;
}

}  // namespace airlab::wire
