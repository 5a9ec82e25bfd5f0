"""Tests for tools/selectors.py: what people say maps to the right devices."""

import pytest

from tools.errors import DeviceNotFound
from tools.selectors import DeviceSelector, canonical_type, select

DEVICES = [
    {
        "id": "HVAC-3A",
        "name": "meeting room 3A thermostat",
        "aliases": ["3A heating"],
        "type": "hvac",
        "area": "3A",
        "area_name": "Meeting room 3A",
        "area_kind": "meeting room",
        "floor": 3,
    },
    {
        "id": "HVAC-3B",
        "name": "meeting room 3B thermostat",
        "aliases": [],
        "type": "hvac",
        "area": "3B",
        "area_name": "Meeting room 3B",
        "area_kind": "meeting room",
        "floor": 3,
    },
    {
        "id": "HVAC-3C",
        "name": "office 3C thermostat",
        "aliases": [],
        "type": "hvac",
        "area": "3C",
        "area_name": "Office 3C",
        "area_kind": "office",
        "floor": 3,
    },
    {
        "id": "HVAC-2A",
        "name": "meeting room 2A thermostat",
        "aliases": [],
        "type": "hvac",
        "area": "2A",
        "area_name": "Meeting room 2A",
        "area_kind": "meeting room",
        "floor": 2,
    },
    {
        "id": "LIGHT-3A",
        "name": "meeting room 3A lights",
        "aliases": [],
        "type": "light",
        "area": "3A",
        "area_name": "Meeting room 3A",
        "area_kind": "meeting room",
        "floor": 3,
    },
    {
        "id": "P-2",
        "name": "pump 2",
        "aliases": ["cooling water pump 2"],
        "type": "pump",
        "area": "PLANT",
        "area_name": "Plant room",
        "area_kind": "plant room",
        "floor": 1,
    },
]


def ids(found: list[dict]) -> list[str]:
    return sorted(d["id"] for d in found)


def test_group_by_kind_type_and_floor_selects_only_those_rooms() -> None:
    sel = DeviceSelector(type="hvac", area="meeting rooms", floor=3)
    assert ids(select(DEVICES, sel)) == ["HVAC-3A", "HVAC-3B"]


def test_area_id_with_type_selects_the_room_thermostat() -> None:
    assert ids(select(DEVICES, DeviceSelector(type="hvac", area="3A"))) == ["HVAC-3A"]


def test_device_named_by_alias_or_id() -> None:
    assert ids(select(DEVICES, DeviceSelector(device="cooling water pump 2"))) == [
        "P-2"
    ]
    assert ids(select(DEVICES, DeviceSelector(device="p-2"))) == ["P-2"]


def test_wrong_type_guess_does_not_hide_an_exactly_named_device() -> None:
    assert ids(select(DEVICES, DeviceSelector(device="P-2", type="hvac"))) == ["P-2"]


def test_room_name_as_device_selects_its_devices_of_the_type() -> None:
    sel = DeviceSelector(device="meeting room 3A", type="light")
    assert ids(select(DEVICES, sel)) == ["LIGHT-3A"]


def test_unknown_device_raises_with_close_names() -> None:
    with pytest.raises(DeviceNotFound, match="No device matches pump P-9"):
        select(DEVICES, DeviceSelector(device="pump P-9"))


def test_type_words_map_to_site_types() -> None:
    assert canonical_type("Thermostats") == "hvac"
    assert canonical_type("lamps") == "light"
    assert canonical_type(None) is None


def test_device_name_given_as_area_still_selects_the_device() -> None:
    assert ids(select(DEVICES, DeviceSelector(area="P-2"))) == ["P-2"]


def test_wrong_type_and_area_guess_still_finds_the_named_device() -> None:
    assert ids(select(DEVICES, DeviceSelector(type="machine", area="P-2"))) == ["P-2"]


def test_exact_selection_refuses_a_near_miss() -> None:
    with pytest.raises(DeviceNotFound):
        select(DEVICES, DeviceSelector(device="pump 9"), exact=True)
    assert ids(select(DEVICES, DeviceSelector(device="pump 2"), exact=True)) == ["P-2"]


def test_a_bare_kind_word_names_no_room() -> None:
    with pytest.raises(DeviceNotFound):
        select(DEVICES, DeviceSelector(area="rooms", type="light"), exact=True)
