#include "core/wifi/radio_share.h"

namespace airlab::wifi {

RadioShare::RadioShare(port::Radio& radio) : radio_(radio) {
  for (size_t i = 0; i < kUserCount; ++i) users_[i].Init(this, static_cast<User>(i));
  SyncUsers();
  radio_.SetListener(this);
}

RadioShare::~RadioShare() { radio_.SetListener(nullptr); }

void RadioShare::SyncUsers() {
  syncing_ = true;
  for (UserRadio& user : users_) {
    if (user.channel() != radio_.channel()) user.SetChannel(radio_.channel()).IgnoreError();
    for (size_t i = 0; i < port::kInterfaceCount; ++i) {
      const auto interface = static_cast<port::Interface>(i);
      if (user.address(interface) != radio_.address(interface)) {
        user.SetAddress(interface, radio_.address(interface)).IgnoreError();
      }
    }
  }
  syncing_ = false;
}

bool RadioShare::AnyUser(bool (port::Radio::*state)() const, User except) const {
  for (size_t i = 0; i < kUserCount; ++i) {
    if (static_cast<User>(i) != except && (users_[i].*state)()) return true;
  }
  return false;
}

Status RadioShare::SetEnabledFrom(User user, bool on) {
  if (on) return radio_.SetEnabled(true);
  // This user's frames end now, as a radio turned off ends its queue.
  for (InFlight& f : in_flight_) {
    if (!f.used || f.user != user || f.dropped) continue;
    f.dropped = true;
    users_[static_cast<size_t>(user)].Report(
        {.tag = f.user_tag, .result = port::TxResult::kDropped, .attempts = 0, .time = 0});
  }
  if (!AnyUser(&port::Radio::enabled, user)) return radio_.SetEnabled(false);
  return Status::Ok();
}

Status RadioShare::TransmitFrom(User user, ByteSpan mpdu, const port::TxOptions& options) {
  InFlight* slot = nullptr;
  for (InFlight& f : in_flight_) {
    if (!f.used) {
      slot = &f;
      break;
    }
  }
  if (slot == nullptr) return Status::ResourceExhausted();
  port::TxOptions shared = options;
  shared.tag = next_tag_++;
  AIRLAB_TRY(radio_.Transmit(mpdu, shared));
  *slot = {.share_tag = shared.tag, .user_tag = options.tag, .user = user, .used = true};
  return Status::Ok();
}

Status RadioShare::SetChannelFrom(User user, uint8_t channel) {
  if (syncing_) return Status::Ok();
  if (channel == radio_.channel()) return Status::Ok();
  if (held_ && user != User::kStation) return Status::Unavailable();
  AIRLAB_TRY(radio_.SetChannel(channel));
  // The calling user's own record changes when this returns; the others' now.
  syncing_ = true;
  for (size_t i = 0; i < kUserCount; ++i) {
    if (static_cast<User>(i) != user) users_[i].SetChannel(channel).IgnoreError();
  }
  syncing_ = false;
  return Status::Ok();
}

Status RadioShare::SetAddressFrom(User user, port::Interface interface, const MacAddress& address) {
  if (syncing_) return Status::Ok();
  AIRLAB_TRY(radio_.SetAddress(interface, address));
  syncing_ = true;
  for (size_t i = 0; i < kUserCount; ++i) {
    if (static_cast<User>(i) != user) users_[i].SetAddress(interface, address).IgnoreError();
  }
  syncing_ = false;
  return Status::Ok();
}

Status RadioShare::SetPromiscuousFrom(User user, bool on) {
  const bool wanted = on || AnyUser(&port::Radio::promiscuous, user);
  if (wanted == radio_.promiscuous()) return Status::Ok();
  return radio_.SetPromiscuous(wanted);
}

void RadioShare::OnReceive(ByteSpan mpdu, const port::RxInfo& info) {
  for (UserRadio& user : users_) {
    if (user.enabled()) user.Receive(mpdu, info);
  }
}

void RadioShare::OnTxDone(const port::TxReport& report) {
  for (InFlight& f : in_flight_) {
    if (!f.used || f.share_tag != report.tag) continue;
    const InFlight done = f;
    f.used = false;
    if (done.dropped) return;
    port::TxReport mine = report;
    mine.tag = done.user_tag;
    users_[static_cast<size_t>(done.user)].Report(mine);
    return;
  }
}

}  // namespace airlab::wifi
