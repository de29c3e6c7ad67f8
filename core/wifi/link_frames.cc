#include "core/wifi/link_frames.h"

namespace airlab::wifi {

wire::MgmtHeader MgmtTo(const MacAddress& to, const MacAddress& from, const MacAddress& bssid,
                        uint16_t sequence) {
  return {.addr1 = to, .addr2 = from, .addr3 = bssid, .seq = wire::SequenceControl::Make(sequence)};
}

Status BuildLinkData(ByteBuilder& out, MutableByteSpan scratch, const wire::MgmtHeader& header,
                     uint16_t ethertype, ByteSpan payload, LinkKey* key, port::Aes128& aes) {
  if (key == nullptr) return wire::BuildDataFrame(out, header, ethertype, payload);
  ByteBuilder plain(scratch);
  AIRLAB_TRY(wire::BuildDataFrame(plain, header, ethertype, payload));
  AIRLAB_TRY(espnow::CcmpEncrypt(aes, key->key, plain.bytes(), key->tx_pn + 1, key->key_id, out));
  ++key->tx_pn;
  return Status::Ok();
}

Result<wire::LlcSnap> OpenLinkData(ByteSpan mpdu, const port::Aes128Key* key,
                                   espnow::ReplayGuard& replay, port::Aes128& aes,
                                   ByteBuilder& scratch) {
  AIRLAB_TRY_ASSIGN(const wire::Dot11View frame, wire::Dot11View::Parse(mpdu));
  if (!frame.fc().protected_frame()) return wire::ParseLlcSnap(frame.body());
  if (key == nullptr) return Status::FailedPrecondition();
  AIRLAB_TRY_ASSIGN(const uint64_t pn, espnow::CcmpPacketNumber(mpdu));
  AIRLAB_TRY(replay.Check(pn));
  AIRLAB_TRY(espnow::CcmpDecrypt(aes, *key, mpdu, scratch));
  AIRLAB_TRY(replay.Accept(pn));
  AIRLAB_TRY_ASSIGN(const wire::Dot11View plain, wire::Dot11View::Parse(scratch.bytes()));
  return wire::ParseLlcSnap(plain.body());
}

}  // namespace airlab::wifi
