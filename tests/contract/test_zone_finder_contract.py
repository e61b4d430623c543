"""The time zone of a shared location (Telegram location, LINE location message): the
offline adapter and the fake answer alike for the places the fake knows."""

from __future__ import annotations

import pytest

from shared.adapters.zone_lookup import OfflineZoneFinder
from shared.fakes.fixed_zones import PLACES, FixedZoneFinder
from shared.ports import ZoneFinder


@pytest.fixture(params=["fake", "offline"])
def finder(request: pytest.FixtureRequest) -> ZoneFinder:
    return FixedZoneFinder() if request.param == "fake" else OfflineZoneFinder()


@pytest.mark.parametrize("zone", sorted(PLACES))
def test_a_city_is_in_its_zone(finder: ZoneFinder, zone: str) -> None:
    lat, lon = PLACES[zone]
    assert finder.zone_at(lat, lon) == zone


@pytest.mark.parametrize(("lat", "lon"), [(91.0, 0.0), (0.0, 181.0), (float("nan"), 1.0),
                                          (1.0, float("inf"))])
def test_what_is_not_a_place_has_no_zone(finder: ZoneFinder, lat: float, lon: float) -> None:
    assert finder.zone_at(lat, lon) is None


def test_the_offline_index_knows_places_the_fake_does_not() -> None:
    finder = OfflineZoneFinder()
    assert finder.zone_at(22.63, 120.30) == "Asia/Taipei"  # Kaohsiung
    assert finder.zone_at(43.11, 131.89) == "Asia/Vladivostok"
    assert finder.zone_at(-23.55, -46.63) == "America/Sao_Paulo"
