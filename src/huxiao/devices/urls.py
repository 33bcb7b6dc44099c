"""F-TECH-1: a unit's devices in the API (they show on the unit's page, ``dashboard``)."""

from huxiao.devices import api as devices_api

routes = [("devices", devices_api.DeviceViewSet, "device")]
urlpatterns: list = []
