"""Positions against the site boundary (Art. 26): distances, polygons, circles, tolerance."""

import math

import pytest

from common.errors import InvalidInput
from common.geo import (
    EARTH_RADIUS_M,
    distance_outside_fence_m,
    distance_to_polygon_edge_m,
    haversine_m,
    on_site,
    point_in_polygon,
)

M_PER_DEG_LAT = EARTH_RADIUS_M * math.pi / 180  # ≈ 111 195 m

LAT0, LNG0 = 30.0, 120.87  # Shangyu
HALF = 0.001  # ≈ 111 m north-south, ≈ 96 m east-west
SQUARE = [
    [LAT0 - HALF, LNG0 - HALF], [LAT0 - HALF, LNG0 + HALF], [LAT0 + HALF, LNG0 + HALF], [LAT0 + HALF, LNG0 - HALF],
]
# An L: the square minus its north-east quarter.
L_SHAPE = [
    [LAT0 - HALF, LNG0 - HALF], [LAT0 - HALF, LNG0 + HALF], [LAT0, LNG0 + HALF],
    [LAT0, LNG0], [LAT0 + HALF, LNG0], [LAT0 + HALF, LNG0 - HALF],
]


def north_of(lat: float, metres: float) -> float:
    return lat + metres / M_PER_DEG_LAT


def east_of(lat: float, lng: float, metres: float) -> float:
    return lng + metres / (M_PER_DEG_LAT * math.cos(math.radians(lat)))


# --- haversine ----------------------------------------------------------------------------


def test_one_degree_of_latitude():
    assert haversine_m((30.0, 120.0), (31.0, 120.0)) == pytest.approx(M_PER_DEG_LAT, rel=1e-9)


def test_one_degree_of_longitude_shrinks_with_the_cosine_of_latitude():
    assert haversine_m((0.0, 0.0), (0.0, 1.0)) == pytest.approx(M_PER_DEG_LAT, rel=1e-9)
    assert haversine_m((60.0, 0.0), (60.0, 1.0)) == pytest.approx(M_PER_DEG_LAT / 2, rel=1e-3)


def test_same_point_is_zero_and_distance_is_symmetric():
    a, b = (30.01, 120.87), (29.99, 120.90)
    assert haversine_m(a, a) == 0
    assert haversine_m(a, b) == pytest.approx(haversine_m(b, a))


def test_a_known_city_distance():
    # Shangyu to Hangzhou West Lake: about 60 km.
    assert 55_000 < haversine_m((30.0325, 120.8686), (30.2431, 120.1500)) < 75_000


# --- polygon ------------------------------------------------------------------------------


def test_centre_of_the_square_is_inside_and_a_point_beyond_is_not():
    assert point_in_polygon((LAT0, LNG0), SQUARE)
    assert not point_in_polygon((LAT0 + 2 * HALF, LNG0), SQUARE)
    assert not point_in_polygon((LAT0, LNG0 - 2 * HALF), SQUARE)


def test_a_concave_polygons_notch_is_outside():
    assert point_in_polygon((LAT0 - HALF / 2, LNG0 + HALF / 2), L_SHAPE)
    assert point_in_polygon((LAT0 + HALF / 2, LNG0 - HALF / 2), L_SHAPE)
    assert not point_in_polygon((LAT0 + HALF / 2, LNG0 + HALF / 2), L_SHAPE)


def test_a_closed_ring_equals_the_open_one():
    closed = [*SQUARE, SQUARE[0]]
    assert point_in_polygon((LAT0, LNG0), closed)
    point = (north_of(LAT0 + HALF, 50), LNG0)
    assert distance_outside_fence_m(point, {"polygon": closed}) == pytest.approx(50, abs=0.1)


def test_a_polygon_needs_three_vertices():
    with pytest.raises(InvalidInput):
        point_in_polygon((LAT0, LNG0), SQUARE[:2])


def test_distance_to_the_nearest_edge_from_inside():
    # From the centre the nearest edges are east and west (≈ 96 m), not north-south (≈ 111 m).
    expected = haversine_m((LAT0, LNG0), (LAT0, LNG0 + HALF))
    assert distance_to_polygon_edge_m((LAT0, LNG0), SQUARE) == pytest.approx(expected, rel=1e-3)


# --- fence distance -----------------------------------------------------------------------


def test_inside_the_polygon_is_zero_outside():
    assert distance_outside_fence_m((LAT0, LNG0), {"polygon": SQUARE}) == 0.0


@pytest.mark.parametrize("metres", [1, 30, 50, 500])
def test_distance_north_of_the_polygon(metres):
    point = (north_of(LAT0 + HALF, metres), LNG0)
    assert distance_outside_fence_m(point, {"polygon": SQUARE}) == pytest.approx(metres, abs=0.05 + metres * 1e-3)


def test_distance_east_of_the_polygon():
    point = (LAT0, east_of(LAT0, LNG0 + HALF, 40))
    assert distance_outside_fence_m(point, {"polygon": SQUARE}) == pytest.approx(40, abs=0.1)


def test_distance_from_beyond_a_corner_is_to_the_corner():
    lat = north_of(LAT0 + HALF, 30)
    point = (lat, east_of(LAT0 + HALF, LNG0 + HALF, 40))
    assert distance_outside_fence_m(point, {"polygon": SQUARE}) == pytest.approx(50, abs=0.1)


def test_distance_in_a_concave_notch_is_to_the_nearest_inner_edge():
    # 20 m north of the inner edge at lat0, well inside the notch.
    point = (north_of(LAT0, 20), LNG0 + HALF / 2)
    assert distance_outside_fence_m(point, {"polygon": L_SHAPE}) == pytest.approx(20, abs=0.1)


def test_circle_inside_and_outside():
    fence = {"center": [LAT0, LNG0], "radius_m": 100}
    assert distance_outside_fence_m((north_of(LAT0, 99), LNG0), fence) == 0.0
    assert distance_outside_fence_m((north_of(LAT0, 150), LNG0), fence) == pytest.approx(50, abs=0.01)
    assert distance_outside_fence_m((LAT0, east_of(LAT0, LNG0, 130)), fence) == pytest.approx(30, abs=0.05)


@pytest.mark.parametrize("fence", [{}, {"center": [LAT0, LNG0]}, {"radius_m": 50}, {"polygon": []}, None])
def test_a_fence_needs_a_polygon_or_a_centre_and_radius(fence):
    with pytest.raises(InvalidInput):
        distance_outside_fence_m((LAT0, LNG0), fence)


# --- tolerance ----------------------------------------------------------------------------


@pytest.mark.parametrize(("metres", "expected"), [(0, True), (29.9, True), (30.1, False)])
def test_polygon_edge_plus_or_minus_the_tolerance(metres, expected):
    point = (north_of(LAT0 + HALF, metres), LNG0)
    assert on_site(point, {"polygon": SQUARE}, 30) is expected


@pytest.mark.parametrize(("metres", "expected"), [(129.9, True), (130.1, False)])
def test_circle_edge_plus_or_minus_the_tolerance(metres, expected):
    point = (north_of(LAT0, metres), LNG0)
    assert on_site(point, {"center": [LAT0, LNG0], "radius_m": 100}, 30) is expected


def test_zero_tolerance_means_inside_only():
    assert on_site((LAT0, LNG0), {"polygon": SQUARE}, 0)
    assert not on_site((north_of(LAT0 + HALF, 0.5), LNG0), {"polygon": SQUARE}, 0)
