"""Distances on the WGS-84 ellipsoid, in metres, for premises near campuses (F-SURR-1). Pure functions, no Django.

- ``geodesic_m``: point to point, Vincenty's inverse formula (sub-millimetre on the ellipsoid for points that
  are not near-antipodal; a campus and a shop never are).
- ``to_segment_m``: point to a boundary edge. The closest point of the edge is found on a local plane at the
  premises (a sinusoidal projection: metres north exactly, metres east at each point's own latitude); its
  distance is then measured geodesically, so the plane only chooses *which* point of the edge is closest, and
  its error on the answer is second order (well under a metre for edges and distances of a few km).
- ``to_campus_m``: to a campus's drawn boundary (0 inside it), else to its point.
- ``nearest``: the nearest of many campuses, pruned by a cheap lower bound so that only the few near ones are
  measured exactly.

A boundary is ``[[lat, lng], ...]`` (``core.Organisation.boundary``), closed or not: the ring is closed here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

A = 6_378_137.0  # WGS-84 semi-major axis (m)
F = 1 / 298.257223563  # WGS-84 flattening
B = A * (1 - F)
E2 = F * (2 - F)  # first eccentricity squared

LatLng = tuple[float, float]


def geodesic_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The geodesic distance between two points on WGS-84 (Vincenty 1975, inverse)."""
    if lat1 == lat2 and lng1 == lng2:
        return 0.0
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    big_l = math.radians(lng2 - lng1)
    u1 = math.atan((1 - F) * math.tan(phi1))
    u2 = math.atan((1 - F) * math.tan(phi2))
    sin_u1, cos_u1, sin_u2, cos_u2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    lam = big_l
    for _ in range(200):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        if sin_sigma == 0:
            return 0.0
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha * sin_alpha
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = F / 16 * cos2_alpha * (4 + F * (4 - 3 * cos2_alpha))
        previous = lam
        lam = big_l + (1 - c) * F * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm * cos_2sm)))
        if abs(lam - previous) < 1e-12:
            break
    u_sq = cos2_alpha * (A * A - B * B) / (B * B)
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta_sigma = big_b * sin_sigma * (cos_2sm + big_b / 4 * (
        cos_sigma * (-1 + 2 * cos_2sm * cos_2sm)
        - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma * sin_sigma) * (-3 + 4 * cos_2sm * cos_2sm)))
    return B * big_a * (sigma - delta_sigma)


def _radii(lat: float) -> tuple[float, float]:
    """Metres per radian north (meridional radius M) and east at the equator of the parallel (N)."""
    s = math.sin(math.radians(lat))
    w = math.sqrt(1 - E2 * s * s)
    return A * (1 - E2) / (w * w * w), A / w


class _Plane:
    """A local plane at ``origin``: x metres east, y metres north (sinusoidal about the origin's meridian)."""

    def __init__(self, origin: LatLng) -> None:
        self.lat0, self.lng0 = origin
        self.m, self.n = _radii(self.lat0)

    def xy(self, p: LatLng) -> tuple[float, float]:
        lat, lng = p
        return (math.radians(lng - self.lng0) * self.n * math.cos(math.radians(lat)),
                math.radians(lat - self.lat0) * self.m)

    def latlng(self, x: float, y: float) -> LatLng:
        lat = self.lat0 + math.degrees(y / self.m)
        cos = math.cos(math.radians(lat))
        return lat, self.lng0 + math.degrees(x / (self.n * cos)) if cos else self.lng0


def to_segment_m(p: LatLng, a: LatLng, b: LatLng) -> float:
    """The distance from ``p`` to the edge ``a``–``b`` (metres)."""
    plane = _Plane(p)
    ax, ay = plane.xy(a)
    bx, by = plane.xy(b)
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
    q = plane.latlng(ax + t * dx, ay + t * dy)
    return geodesic_m(p[0], p[1], q[0], q[1])


def ring(boundary: Sequence[Sequence[float]] | None) -> list[LatLng]:
    """A usable closed ring from a stored boundary (at least three distinct points), or ``[]``."""
    if not boundary:
        return []
    points = [(float(pt[0]), float(pt[1])) for pt in boundary]
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    if len(set(points)) < 3:
        return []
    return [*points, points[0]]


def inside(p: LatLng, closed: Sequence[LatLng]) -> bool:
    """Whether ``p`` lies inside the closed ring (even-odd rule; a campus is small enough for lat/lng to be
    treated as plane coordinates here)."""
    lat, lng = p
    hit = False
    for (lat1, lng1), (lat2, lng2) in pairwise(closed):
        if (lat1 > lat) != (lat2 > lat):
            cross = lng1 + (lat - lat1) * (lng2 - lng1) / (lat2 - lat1)
            if lng < cross:
                hit = not hit
    return hit


def to_campus_m(p: LatLng, *, boundary: Sequence[Sequence[float]] | None, point: LatLng | None) -> float | None:
    """The distance from ``p`` to a campus: to its drawn boundary (0 inside it), else to its point; None if
    the campus has neither."""
    closed = ring(boundary)
    if closed:
        if inside(p, closed):
            return 0.0
        return min(to_segment_m(p, a, b) for a, b in pairwise(closed))
    if point is not None:
        return geodesic_m(p[0], p[1], point[0], point[1])
    return None


@dataclass(frozen=True, slots=True)
class Campus:
    """What the distance needs of a unit."""

    id: int
    lat: float | None
    lng: float | None
    boundary: Sequence[Sequence[float]] | None = None

    @property
    def point(self) -> LatLng | None:
        return None if self.lat is None or self.lng is None else (self.lat, self.lng)

    def vertices(self) -> list[LatLng]:
        closed = ring(self.boundary)
        if closed:
            return closed
        return [self.point] if self.point is not None else []


def _lower_bound_m(p: LatLng, vertices: Sequence[LatLng], plane: _Plane) -> float:
    """A cheap lower bound of the distance to a campus: to the bounding box of its vertices, on the plane at
    ``p``, less 1 % and 5 m for the plane's error."""
    xs, ys = zip(*(plane.xy(v) for v in vertices), strict=True)
    dx = max(min(xs), 0.0, -max(xs)) if not (min(xs) <= 0 <= max(xs)) else 0.0
    dy = max(min(ys), 0.0, -max(ys)) if not (min(ys) <= 0 <= max(ys)) else 0.0
    return max(0.0, math.hypot(dx, dy) * 0.99 - 5)


def nearest(p: LatLng, campuses: Iterable[Campus]) -> tuple[int, float] | None:
    """(id, metres) of the campus nearest ``p``; ties go to the lower id. None when no campus is located."""
    plane = _Plane(p)
    bounded = []
    for campus in campuses:
        vertices = campus.vertices()
        if vertices:
            bounded.append((_lower_bound_m(p, vertices, plane), campus.id, campus))
    bounded.sort(key=lambda row: (row[0], row[1]))
    best: tuple[int, float] | None = None
    for bound, campus_id, campus in bounded:
        if best is not None and bound > best[1]:
            break
        distance = to_campus_m(p, boundary=campus.boundary, point=campus.point)
        if distance is not None and (best is None or distance < best[1]
                                     or (distance == best[1] and campus_id < best[0])):
            best = (campus_id, distance)
    return best
