#pragma once
// RouterHub: the air hub (`airlab air`, `airlab lab up`) with routers on its air as resident
// nodes - access points that beacon, answer probes and let the clients' stations join,
// running on the hub's simulation and timers (scenario::SimRouters).

#include <memory>
#include <string>
#include <vector>

#include "platform/air/hub.h"
#include "platform/sim/simulation.h"
#include "scenario/routers.h"

namespace airlab::host::room {

class RouterHub {
 public:
  // A hub on `air` (which must outlive this; its nodes so far are residents named by
  // `names`), or, with `air` null, on an air of its own made from options.simulation. The
  // routers are added to that air as nodes after its others. Throws std::runtime_error as
  // air::Hub does, and std::invalid_argument naming a router and its fix.
  RouterHub(const air::HubOptions& options, const std::vector<scenario::RouterSpec>& routers,
            sim::Simulation* air = nullptr, std::vector<std::string> names = {});
  RouterHub(const RouterHub&) = delete;
  RouterHub& operator=(const RouterHub&) = delete;

  air::Hub& hub() { return *hub_; }
  // The routers added here (not a scenario's own).
  scenario::SimRouters* routers() { return routers_.get(); }

 private:
  std::unique_ptr<sim::Simulation> own_air_;
  std::unique_ptr<scenario::SimRouters> routers_;
  std::unique_ptr<air::Hub> hub_;
};

}  // namespace airlab::host::room
