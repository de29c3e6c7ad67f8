// 802.11 frames under libFuzzer: the input is one MPDU (and, when its last 4 bytes check
// out, the same MPDU with an FCS). Every view that accepts it is read through every
// accessor, every element through every typed reader; ASan catches a read past the input.
// Whatever element chain parses cleanly must come out of ElementWriter byte for byte.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/wire/dot11.h"
#include "core/wire/elements.h"
#include "core/wire/mgmt.h"
#include "fuzz/fuzz_support.h"

namespace {

using airlab::ByteSpan;
using airlab::MacAddress;
using airlab::Result;
using airlab::Status;
using airlab::fuzz::Check;
using namespace airlab::wire;

volatile uint32_t sink = 0;

void Touch(ByteSpan bytes) {
  uint32_t sum = 0;
  for (std::byte b : bytes) sum += static_cast<uint8_t>(b);
  sink = sink + sum;
}
void Touch(uint64_t v) { sink = sink + static_cast<uint32_t>(v); }
void Touch(const MacAddress& mac) { Touch(mac.bytes()); }
void Touch(const Result<MacAddress>& mac) {
  if (mac.ok()) Touch(*mac);
}

bool Inside(ByteSpan part, ByteSpan whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void TouchElement(const Element& e) {
  Touch(e.data);
  Touch(e.extension_id);
  if (auto ssid = Ssid::Parse(e.data); ssid.ok()) Touch(ssid->hidden());
  if (auto rates = RateList::Parse(e.data); rates.ok()) {
    for (size_t i = 0; i < rates->size(); ++i) Touch((*rates)[i].raw);
    Touch(rates->max_units_500kbps());
  }
  if (auto ds = DsParameterSet::Parse(e.data); ds.ok()) Touch(ds->channel());
  if (auto tim = Tim::Parse(e.data); tim.ok()) {
    Touch(tim->dtim_count() + tim->dtim_period() + tim->multicast() + tim->bitmap_offset());
    Touch(tim->partial_bitmap());
    for (uint16_t aid = 0; aid < 2008; aid += 7) Touch(tim->has_traffic(aid));
  }
  if (auto country = Country::Parse(e.data); country.ok()) {
    Touch(static_cast<uint8_t>(country->code()[0]));
    for (size_t i = 0; i < country->triplet_count(); ++i) {
      const Country::Triplet t = country->triplet(i);
      Touch(t.first_channel + t.num_channels + t.max_tx_power_dbm + t.operating_extension());
    }
  }
  if (auto erp = Erp::Parse(e.data); erp.ok()) {
    Touch(erp->non_erp_present() + erp->use_protection() + erp->barker_preamble_mode());
  }
  if (auto ht = HtCapabilities::Parse(e.data); ht.ok()) {
    Touch(ht->info() + ht->supports_40mhz() + ht->short_gi_20() + ht->short_gi_40() +
          ht->spatial_streams());
  }
  const auto touch_rsn = [](const Result<Rsn>& rsn) {
    if (!rsn.ok()) return;
    Touch(static_cast<uint8_t>(rsn->group_cipher()));
    for (size_t i = 0; i < rsn->pairwise_count(); ++i) {
      Touch(static_cast<uint8_t>(rsn->pairwise_cipher(i)));
    }
    for (size_t i = 0; i < rsn->akm_count(); ++i) Touch(rsn->akm(i));
    Touch(static_cast<uint8_t>(rsn->best_pairwise_cipher()));
    Touch(rsn->has_akm(Akm::kSae) + rsn->mfp_required() + rsn->mfp_capable() + rsn->wpa());
  };
  touch_rsn(Rsn::Parse(e.data));
  if (auto vendor = VendorElement::Parse(e.data); vendor.ok()) {
    Touch(vendor->oui + vendor->type);
    Touch(vendor->data);
    touch_rsn(Rsn::ParseWpa(vendor->data));
  }
}

void TouchElements(const ElementList& list) {
  // Big enough for any input libFuzzer hands out here, so the writer never runs out.
  static std::array<std::byte, 1 << 20> storage;
  airlab::ByteBuilder rewritten(storage);
  ElementWriter writer(rewritten);
  ElementList::Iterator it = list.begin();
  for (; it != list.end(); ++it) {
    Check(Inside(it->data, list.bytes()));
    TouchElement(*it);
    if (it->id == ElementId::kExtension) {
      writer.AddExtension(it->extension_id, it->data);
    } else {
      writer.Add(it->id, it->data);
    }
  }
  Check(it.status() == list.status());
  if (list.status().ok()) {
    Check(writer.ok());
    Check(std::equal(rewritten.bytes().begin(), rewritten.bytes().end(), list.bytes().begin(),
                     list.bytes().end()));
  }
  // Find agrees with the walk.
  const Result<Element> ssid = list.Find(ElementId::kSsid);
  Check(ssid.ok() || ssid.status() == Status::NotFound() || ssid.status() == list.status());
  if (auto rates = RateList::Read(list); rates.ok()) Touch(rates->max_units_500kbps());
  if (auto tim = list.Get<Tim>(); tim.ok()) Touch(tim->dtim_period());
  if (auto vendor = VendorElement::Find(list, kOuiEspressif, 4); vendor.ok()) Touch(vendor->data);
  (void)list.FindExtension(35);
}

void TouchFrame(ByteSpan mpdu) {
  const Result<Dot11View> parsed = Dot11View::Parse(mpdu);
  if (!parsed.ok()) return;
  const Dot11View& f = *parsed;
  Check(f.header_size() <= mpdu.size());
  Touch(f.fc().raw + f.duration() + f.seq().raw + f.has_addr2() + f.has_addr3());
  Touch(f.addr1());
  Touch(f.addr2());
  Touch(f.addr3());
  Touch(f.body());

  if (auto d = DataView::Parse(f); d.ok()) {
    Touch(static_cast<uint8_t>(d->subtype()) + d->is_qos() + d->has_payload() +
          d->protected_frame() + static_cast<uint8_t>(d->ds_mode()) + d->has_addr4() +
          d->qos_control() + d->tid() + d->amsdu());
    Touch(d->receiver());
    Touch(d->transmitter());
    Touch(d->destination());
    Touch(d->source());
    Touch(d->bssid());
    Touch(d->addr4());
    Touch(d->payload());
    if (auto llc = d->llc_snap(); llc.ok()) {
      Check(Inside(llc->payload, mpdu));
      Touch(llc->ethertype);
      Touch(llc->payload);
    }
  }
  if (auto c = ControlView::Parse(f); c.ok()) {
    Touch(static_cast<uint8_t>(c->subtype()) + c->is_block_ack() + c->block_ack_control() +
          c->block_ack_type() + c->tid() + c->starting_sequence().raw);
    Touch(c->receiver());
    Touch(c->transmitter());
    Touch(c->bitmap());
  }
  if (auto b = BeaconView::Parse(f); b.ok()) {
    Touch(b->is_probe_response() + b->timestamp_us() + b->beacon_interval_tu() +
          b->capability().raw);
    Touch(b->bssid());
    TouchElements(b->elements());
    if (auto security = b->security(); security.ok()) {
      Touch(static_cast<uint8_t>(security->mode) + security->enterprise +
            static_cast<uint8_t>(security->pairwise));
    }
  }
  if (auto p = ProbeRequestView::Parse(f); p.ok()) {
    Touch(p->source());
    TouchElements(p->elements());
  }
  if (auto a = ActionView::Parse(f); a.ok()) {
    Touch(static_cast<uint8_t>(a->category()) + a->is_vendor_specific() + a->oui());
    Touch(a->body());
    Touch(a->vendor_content());
    // ESP-NOW puts 4 random bytes, then vendor elements, after the OUI.
    if (a->oui() == kOuiEspressif && a->vendor_content().size() >= 4) {
      TouchElements(ElementList(a->vendor_content().subspan(4)));
    }
  }
  if (auto auth = AuthenticationView::Parse(f); auth.ok()) {
    Touch(auth->algorithm() + auth->transaction_sequence() + auth->status_code());
    Touch(auth->rest());
  }
  if (auto deauth = DeauthView::Parse(f); deauth.ok()) {
    Touch(deauth->is_disassociation() + deauth->reason_code());
    TouchElements(deauth->elements());
  }
  if (auto req = AssocRequestView::Parse(f); req.ok()) {
    Touch(req->is_reassociation() + req->capability().raw + req->listen_interval());
    Touch(req->station());
    Touch(req->current_ap());
    TouchElements(req->elements());
  }
  if (auto resp = AssocResponseView::Parse(f); resp.ok()) {
    Touch(resp->capability().raw + resp->status_code() + resp->aid());
    TouchElements(resp->elements());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan input = airlab::AsBytes(data, size);
  TouchFrame(input);
  if (auto mpdu = StripFcs(input); mpdu.ok()) TouchFrame(*mpdu);
  // Every input is also read as a bare element chain.
  TouchElements(ElementList(input));
  return 0;
}
