#include "host/room/router_hub.h"

namespace airlab::host::room {

RouterHub::RouterHub(const air::HubOptions& options,
                     const std::vector<scenario::RouterSpec>& routers, sim::Simulation* air,
                     std::vector<std::string> names) {
  if (air == nullptr && routers.empty()) {
    hub_ = std::make_unique<air::Hub>(options);
    return;
  }
  if (air == nullptr) {
    own_air_ = std::make_unique<sim::Simulation>(options.simulation);
    air = own_air_.get();
  }
  routers_ = std::make_unique<scenario::SimRouters>(*air, routers, options.simulation.seed);
  for (size_t i = 0; i < routers_->size(); ++i) names.push_back(routers_->name(i));
  hub_ = std::make_unique<air::Hub>(options, *air, std::move(names));
}

}  // namespace airlab::host::room
