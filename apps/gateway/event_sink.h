#pragma once
// How every part of the gateway reports: one event built in place, stamped with the time
// when its maker had none, handed to the observer if there is one. Call sites name only
// what the event carries (gateway_types.h lists it per kind):
//   events.Emit({.kind = GatewayEventKind::kStored, .time = now, .node = mac, .id = id});

#include "apps/gateway/gateway_types.h"
#include "core/port/clock.h"

namespace airlab::apps {

class EventSink {
 public:
  // `observer` may be nullptr (nothing is reported); `clock` must outlive the sink.
  EventSink(GatewayObserver* observer, const port::Clock& clock)
      : observer_(observer), clock_(clock) {}

  void Emit(GatewayEvent event) const {
    if (observer_ == nullptr) return;
    if (event.time == 0) event.time = clock_.Now();
    observer_->OnGatewayEvent(event);
  }

 private:
  GatewayObserver* observer_;
  const port::Clock& clock_;
};

}  // namespace airlab::apps
