"""Time zones of places, offline: tzfpy (a compiled index of the timezone-boundary-
builder polygons, shipped in its wheel; no network, ~5 MB, about 30 MB of memory once
loaded, microseconds a lookup after the first)."""

from __future__ import annotations

import math


class OfflineZoneFinder:
    def zone_at(self, latitude: float, longitude: float) -> str | None:
        if not (math.isfinite(latitude) and math.isfinite(longitude)
                and -90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None
        import tzfpy  # lazily: only the dialog worker, and only for a shared location

        zone = str(tzfpy.get_tz(longitude, latitude))  # tzfpy takes (lng, lat)
        return zone or None
