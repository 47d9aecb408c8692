"""Positions against a site boundary: attendance is taken on site (Art. 26), and a concealed
work's photos are taken there (Art. 28).

A fence is the project's geofence as the workflow stores it: ``{"polygon": [[lat, lng], ...]}``
or ``{"center": [lat, lng], "radius_m": r}``. Building sites are small (well under a few
kilometres across), so distances to a polygon's edges are measured on a local plane tangent at
the point; the error is far below GPS accuracy at that scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from common.errors import InvalidInput

LatLng = tuple[float, float]

EARTH_RADIUS_M = 6371008.8  # the mean Earth radius (IUGG)


def haversine_m(a: LatLng, b: LatLng) -> float:
    """Great-circle distance in metres between two (lat, lng) points on a sphere."""
    lat1, lng1 = math.radians(a[0]), math.radians(a[1])
    lat2, lng2 = math.radians(b[0]), math.radians(b[1])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _vertices(polygon: Sequence[Sequence[float]]) -> list[LatLng]:
    vertices = [(float(lat), float(lng)) for lat, lng in polygon]
    if len(vertices) > 1 and vertices[0] == vertices[-1]:
        vertices.pop()  # a closed ring repeats its first vertex
    if len(vertices) < 3:
        raise InvalidInput.field("fence.polygon", "a polygon needs at least 3 vertices")
    return vertices


def point_in_polygon(point: LatLng, polygon: Sequence[Sequence[float]]) -> bool:
    """Ray casting on (lng, lat) as plane coordinates. A point exactly on an edge may fall either
    way; :func:`distance_outside_fence_m` then reports about 0 m, which the tolerance absorbs."""
    lat, lng = point
    vertices = _vertices(polygon)
    inside = False
    j = len(vertices) - 1
    for i in range(len(vertices)):
        lat_i, lng_i = vertices[i]
        lat_j, lng_j = vertices[j]
        if (lat_i > lat) != (lat_j > lat):
            crossing_lng = lng_i + (lat - lat_i) * (lng_j - lng_i) / (lat_j - lat_i)
            if lng < crossing_lng:
                inside = not inside
        j = i
    return inside


def _local_xy(origin: LatLng, point: LatLng) -> tuple[float, float]:
    """Metres east and north of ``origin`` on the plane tangent there."""
    x = math.radians(point[1] - origin[1]) * EARTH_RADIUS_M * math.cos(math.radians(origin[0]))
    y = math.radians(point[0] - origin[0]) * EARTH_RADIUS_M
    return x, y


def _distance_to_segment(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))


def distance_to_polygon_edge_m(point: LatLng, polygon: Sequence[Sequence[float]]) -> float:
    """Metres from ``point`` to the nearest edge of ``polygon`` (inside or outside)."""
    vertices = _vertices(polygon)
    xy = [_local_xy(point, vertex) for vertex in vertices]
    return min(
        _distance_to_segment((0.0, 0.0), xy[i], xy[(i + 1) % len(xy)]) for i in range(len(xy))
    )


def distance_outside_fence_m(point: LatLng, fence: dict) -> float:
    """0 when ``point`` lies inside the fence; otherwise metres to its boundary (the nearest
    polygon edge, or the circle). The caller compares it with ``fence_tolerance_m``."""
    if not isinstance(fence, dict):
        raise InvalidInput.field("fence", "the project has no site boundary")
    polygon = fence.get("polygon")
    if polygon:
        if point_in_polygon(point, polygon):
            return 0.0
        return distance_to_polygon_edge_m(point, polygon)
    center, radius = fence.get("center"), fence.get("radius_m")
    if center is not None and radius is not None:
        return max(0.0, haversine_m(point, (float(center[0]), float(center[1]))) - float(radius))
    raise InvalidInput.field("fence", "give a polygon, or a centre together with radius_m")


def on_site(point: LatLng, fence: dict, tolerance_m: float) -> bool:
    """Art. 26: the position is on site when it is at most ``tolerance_m`` outside the fence."""
    return distance_outside_fence_m(point, fence) <= tolerance_m


def bounds(fence: dict) -> tuple[float, float, float, float]:
    """The (south, north, west, east) box around a fence, in degrees: what a query narrows by
    before :func:`on_site` tests the few fences left."""
    polygon = fence.get("polygon")
    if polygon:
        vertices = _vertices(polygon)
        lats, lngs = [lat for lat, _ in vertices], [lng for _, lng in vertices]
        return min(lats), max(lats), min(lngs), max(lngs)
    center, radius = fence.get("center"), fence.get("radius_m")
    if center is None or radius is None:
        raise InvalidInput.field("fence", "give a polygon, or a centre together with radius_m")
    lat, lng = float(center[0]), float(center[1])
    dlat = math.degrees(float(radius) / EARTH_RADIUS_M)
    dlng = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng
