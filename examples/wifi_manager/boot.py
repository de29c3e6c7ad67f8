# boot.py: join a saved network, or open the Wi-Fi setup hotspot until one is joined.
import wifi_manager

wifi_manager.start()
