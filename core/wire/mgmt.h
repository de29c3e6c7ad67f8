#pragma once
// 802.11 management frame bodies (IEEE 802.11-2016 9.3.3, 9.4.1): views over the fixed
// fields of Beacon, Probe Request/Response, Action, Authentication, Deauthentication and
// Disassociation, and builders for the frames airlab sends. Views borrow the bytes of the
// Dot11View they were parsed from.
//
// Protected management frames (802.11w: robust Action, Deauthentication, Disassociation)
// carry a CCMP header and ciphertext as their body; the views refuse them with
// kUnimplemented rather than read ciphertext as fields.

#include <cstdint>
#include <optional>
#include <span>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/result.h"
#include "core/wire/dot11.h"
#include "core/wire/elements.h"

namespace airlab::wire {

// Capability Information (9.4.1.4).
struct CapabilityInfo {
  uint16_t raw = 0;
  constexpr bool ess() const { return raw & kEss; }
  constexpr bool ibss() const { return raw & kIbss; }
  constexpr bool privacy() const { return raw & kPrivacy; }
  constexpr bool short_preamble() const { return raw & kShortPreamble; }
  constexpr bool spectrum_management() const { return raw & kSpectrumManagement; }
  constexpr bool qos() const { return raw & kQos; }
  constexpr bool short_slot_time() const { return raw & kShortSlotTime; }
  constexpr bool radio_measurement() const { return raw & kRadioMeasurement; }
  static constexpr uint16_t kEss = 0x0001;
  static constexpr uint16_t kIbss = 0x0002;
  static constexpr uint16_t kPrivacy = 0x0010;
  static constexpr uint16_t kShortPreamble = 0x0020;
  static constexpr uint16_t kSpectrumManagement = 0x0100;
  static constexpr uint16_t kQos = 0x0200;
  static constexpr uint16_t kShortSlotTime = 0x0400;
  static constexpr uint16_t kRadioMeasurement = 0x1000;
};

// Action categories (Table 9-76) this code names; any other value is valid too.
enum class ActionCategory : uint8_t {
  kSpectrumManagement = 0,
  kQos = 1,
  kBlockAck = 3,
  kPublic = 4,
  kRadioMeasurement = 5,
  kHt = 7,
  kSaQuery = 8,
  kProtectedDualOfPublic = 9,
  kWnm = 10,
  kVht = 21,
  kVendorSpecificProtected = 126,
  kVendorSpecific = 127,  // OUI, then the vendor's content (ESP-NOW uses this)
};

// Beacon and Probe Response share one body: timestamp, interval, capabilities, elements.
class BeaconView {
 public:
  // kInvalidArgument when `frame` is neither a Beacon nor a Probe Response; kOutOfRange when
  // its body is shorter than the 12 bytes of fixed fields.
  static Result<BeaconView> Parse(const Dot11View& frame);

  const Dot11View& frame() const { return frame_; }
  bool is_probe_response() const { return frame_.fc().Is(MgmtSubtype::kProbeResponse); }
  MacAddress bssid() const { return frame_.addr3(); }
  // The sender's TSF timer, in microseconds.
  uint64_t timestamp_us() const { return load_le64(frame_.body(), 0); }
  // In time units of 1024 microseconds.
  uint16_t beacon_interval_tu() const { return load_le16(frame_.body(), 8); }
  CapabilityInfo capability() const { return {load_le16(frame_.body(), 10)}; }
  ElementList elements() const { return ElementList(frame_.body().subspan(kFixedSize)); }
  // ClassifySecurity over this frame's Privacy bit and elements (and its errors).
  Result<Security> security() const;

  static constexpr size_t kFixedSize = 12;

 private:
  explicit BeaconView(const Dot11View& frame) : frame_(frame) {}
  Dot11View frame_;
};

// Probe Request: only elements (SSID, empty for a wildcard probe; rates; ...).
class ProbeRequestView {
 public:
  // kInvalidArgument when `frame` is not a Probe Request.
  static Result<ProbeRequestView> Parse(const Dot11View& frame);

  const Dot11View& frame() const { return frame_; }
  MacAddress source() const { return frame_.addr2(); }
  ElementList elements() const { return ElementList(frame_.body()); }

 private:
  explicit ProbeRequestView(const Dot11View& frame) : frame_(frame) {}
  Dot11View frame_;
};

// Action and Action No Ack: a category, then its body; category 127 (vendor specific)
// starts its body with an OUI.
class ActionView {
 public:
  // kInvalidArgument when `frame` is not an Action (No Ack) frame; kUnimplemented when it
  // is protected; kOutOfRange when the body has no category, or a vendor-specific one has
  // no full OUI.
  static Result<ActionView> Parse(const Dot11View& frame);

  const Dot11View& frame() const { return frame_; }
  ActionCategory category() const { return static_cast<ActionCategory>(load_u8(frame_.body(), 0)); }
  // After the category: the action code and fields of the category.
  ByteSpan body() const { return frame_.body().subspan(1); }
  bool is_vendor_specific() const { return category() == ActionCategory::kVendorSpecific; }
  uint32_t oui() const;             // 0 unless is_vendor_specific()
  ByteSpan vendor_content() const;  // after the OUI; empty unless is_vendor_specific()

 private:
  explicit ActionView(const Dot11View& frame) : frame_(frame) {}
  Dot11View frame_;
};

// Authentication (9.3.3.12): algorithm, transaction sequence, status, then per-algorithm
// fields (elements for open system and FT; SAE's scalar and element for SAE).
class AuthenticationView {
 public:
  // kInvalidArgument when `frame` is not an Authentication frame; kUnimplemented when it is
  // protected (shared-key's encrypted third message); kOutOfRange when the body is shorter
  // than its 6 bytes of fixed fields.
  static Result<AuthenticationView> Parse(const Dot11View& frame);

  const Dot11View& frame() const { return frame_; }
  uint16_t algorithm() const { return load_le16(frame_.body(), 0); }  // 0 open, 1 shared key, 3 SAE
  uint16_t transaction_sequence() const { return load_le16(frame_.body(), 2); }
  uint16_t status_code() const { return load_le16(frame_.body(), 4); }
  ByteSpan rest() const { return frame_.body().subspan(6); }

  static constexpr uint16_t kOpenSystem = 0;
  static constexpr uint16_t kSharedKey = 1;
  static constexpr uint16_t kSae = 3;

 private:
  explicit AuthenticationView(const Dot11View& frame) : frame_(frame) {}
  Dot11View frame_;
};

// Deauthentication and Disassociation: one reason code (9.4.1.7), then optional elements.
class DeauthView {
 public:
  // kInvalidArgument when `frame` is neither; kUnimplemented when protected; kOutOfRange
  // when the body has no whole reason code.
  static Result<DeauthView> Parse(const Dot11View& frame);

  const Dot11View& frame() const { return frame_; }
  bool is_disassociation() const { return frame_.fc().Is(MgmtSubtype::kDisassociation); }
  uint16_t reason_code() const { return load_le16(frame_.body(), 0); }
  ElementList elements() const { return ElementList(frame_.body().subspan(2)); }

 private:
  explicit DeauthView(const Dot11View& frame) : frame_(frame) {}
  Dot11View frame_;
};

// Association Request and Reassociation Request (9.3.3.6, 9.3.3.8): capabilities, listen
// interval, the current AP's address for a reassociation, then elements (SSID, rates, the
// station's RSN element).
class AssocRequestView {
 public:
  // kInvalidArgument when `frame` is neither; kUnimplemented when protected; kOutOfRange
  // when the body is shorter than its fixed fields (4, or 10 for a reassociation).
  static Result<AssocRequestView> Parse(const Dot11View& frame);

  const Dot11View& frame() const { return frame_; }
  bool is_reassociation() const { return frame_.fc().Is(MgmtSubtype::kReassocRequest); }
  MacAddress station() const { return frame_.addr2(); }
  CapabilityInfo capability() const { return {load_le16(frame_.body(), 0)}; }
  uint16_t listen_interval() const { return load_le16(frame_.body(), 2); }
  // The AP the station is leaving (reassociation only; all zero otherwise).
  MacAddress current_ap() const;
  ElementList elements() const { return ElementList(frame_.body().subspan(fixed_size())); }

 private:
  explicit AssocRequestView(const Dot11View& frame) : frame_(frame) {}
  size_t fixed_size() const { return is_reassociation() ? 10 : 4; }
  Dot11View frame_;
};

// Association Response and Reassociation Response (9.3.3.7): capabilities, status code,
// association ID, then elements.
class AssocResponseView {
 public:
  // kInvalidArgument when `frame` is neither; kUnimplemented when protected; kOutOfRange
  // when the body is shorter than its 6 bytes of fixed fields.
  static Result<AssocResponseView> Parse(const Dot11View& frame);

  const Dot11View& frame() const { return frame_; }
  CapabilityInfo capability() const { return {load_le16(frame_.body(), 0)}; }
  uint16_t status_code() const { return load_le16(frame_.body(), 2); }
  // The association ID without the two top bits the field carries (9.4.1.8): 1..2007.
  uint16_t aid() const { return load_le16(frame_.body(), 4) & 0x3fff; }
  ElementList elements() const { return ElementList(frame_.body().subspan(6)); }

 private:
  explicit AssocResponseView(const Dot11View& frame) : frame_(frame) {}
  Dot11View frame_;
};

// Status codes (9.4.1.9, Table 9-46) the join uses.
struct StatusCode {
  static constexpr uint16_t kSuccess = 0;
  static constexpr uint16_t kUnspecifiedFailure = 1;
  static constexpr uint16_t kUnsupportedAuthAlgorithm = 13;
  static constexpr uint16_t kApFull = 17;  // denied: the AP cannot handle more stations
  static constexpr uint16_t kInvalidRsnElement = 72;
};

// Reason codes (9.4.1.7, Table 9-45) of Deauthentication and Disassociation.
struct ReasonCode {
  static constexpr uint16_t kUnspecified = 1;
  static constexpr uint16_t kPreviousAuthNotValid = 2;
  static constexpr uint16_t kDeauthLeaving = 3;
  static constexpr uint16_t kInactivity = 4;
  static constexpr uint16_t kApFull = 5;
  static constexpr uint16_t kClass2FromNonauth = 6;
  static constexpr uint16_t kClass3FromNonassoc = 7;
  static constexpr uint16_t kDisassocLeaving = 8;
  static constexpr uint16_t kInvalidElement = 13;
  static constexpr uint16_t kMicFailure = 14;
  static constexpr uint16_t kFourWayHandshakeTimeout = 15;
  static constexpr uint16_t kGroupKeyHandshakeTimeout = 16;
  static constexpr uint16_t kElementMismatch = 17;  // RSN element differs from the association's
  static constexpr uint16_t kIeee8021xAuthFailed = 23;
};

// ---------------------------------------------------------------------------------------
// Builders. Each writes `header` with its type and subtype set to the frame's (flags such
// as Retry are kept), the body, and, with Fcs::kAppend, the FCS. To add elements of your
// own, build with Fcs::kOmit, add them with an ElementWriter on the same builder, then call
// AppendFcs. Each returns kOk, kResourceExhausted when `out` is full, or kInvalidArgument
// for fields the elements cannot hold (an SSID over 32 bytes).

// What a Beacon or Probe Response says about the BSS.
struct BssFields {
  uint64_t timestamp_us = 0;
  uint16_t beacon_interval_tu = 100;
  uint16_t capability = CapabilityInfo::kEss;  // kPrivacy is added when `rsn` is set
  ByteSpan ssid;
  std::span<const uint8_t> rates;  // Rate::raw values; none: no rate elements
  uint8_t channel = 0;             // DS Parameter Set; 0: none
  std::optional<RsnConfig> rsn;    // none: an open network
};

Status BuildBeacon(ByteBuilder& out, const MgmtHeader& header, const BssFields& bss,
                   Fcs fcs = Fcs::kOmit);
Status BuildProbeResponse(ByteBuilder& out, const MgmtHeader& header, const BssFields& bss,
                          Fcs fcs = Fcs::kOmit);

struct ProbeRequestFields {
  ByteSpan ssid;                   // empty: the wildcard SSID (any network)
  std::span<const uint8_t> rates;  // none: no rate elements
  uint8_t channel = 0;             // DS Parameter Set; 0: none
};
Status BuildProbeRequest(ByteBuilder& out, const MgmtHeader& header,
                         const ProbeRequestFields& fields, Fcs fcs = Fcs::kOmit);

// An Action frame with `category` and `body` (action code and fields).
Status BuildAction(ByteBuilder& out, const MgmtHeader& header, ActionCategory category,
                   ByteSpan body, Fcs fcs = Fcs::kOmit);
// A vendor-specific Action frame (category 127): the OUI, then `content`.
Status BuildVendorAction(ByteBuilder& out, const MgmtHeader& header, uint32_t oui, ByteSpan content,
                         Fcs fcs = Fcs::kOmit);

// Authentication (open system: algorithm 0, sequence 1 from the station, 2 from the AP).
Status BuildAuthentication(ByteBuilder& out, const MgmtHeader& header, uint16_t algorithm,
                           uint16_t transaction_sequence, uint16_t status_code,
                           Fcs fcs = Fcs::kOmit);

struct AssocRequestFields {
  uint16_t capability = CapabilityInfo::kEss;  // kPrivacy is added when `rsn_element` is set
  uint16_t listen_interval = 10;               // in beacon intervals
  ByteSpan ssid;
  std::span<const uint8_t> rates;  // none: no rate elements
  // The station's RSN element, whole (id 48, length, body) and byte for byte what its
  // message 2 will carry; empty for an open network. Must be an RSN element
  // (kInvalidArgument otherwise).
  ByteSpan rsn_element;
};
Status BuildAssocRequest(ByteBuilder& out, const MgmtHeader& header,
                         const AssocRequestFields& fields, Fcs fcs = Fcs::kOmit);

struct AssocResponseFields {
  uint16_t capability = CapabilityInfo::kEss;
  uint16_t status_code = StatusCode::kSuccess;
  uint16_t aid = 1;  // 1..2007, written with the two top bits set; 0 on a refusal
  std::span<const uint8_t> rates;
};
// kInvalidArgument for an aid over 2007.
Status BuildAssocResponse(ByteBuilder& out, const MgmtHeader& header,
                          const AssocResponseFields& fields, Fcs fcs = Fcs::kOmit);

// Deauthentication and Disassociation with `reason_code` (ReasonCode).
Status BuildDeauthentication(ByteBuilder& out, const MgmtHeader& header, uint16_t reason_code,
                             Fcs fcs = Fcs::kOmit);
Status BuildDisassociation(ByteBuilder& out, const MgmtHeader& header, uint16_t reason_code,
                           Fcs fcs = Fcs::kOmit);

}  // namespace airlab::wire
