"""What the logistics calls offer (shopee-api.md §8): channels, addresses, slots.

Each logistics channel supports some shipping modes, and
``get_shipping_parameter`` lists what ``ship_order`` then needs
(``info_needed``): Kerry, Flash and SPX take a pickup or a drop-off (Flash
wants the drop-off branch), J&T only a pickup; channel 70099 is the
simulator's non-integrated channel (the seller's own courier, who gives the
tracking number), used by no generated order: ``POST
/_simulator/orders/<sn> {"logistics_channel_id": 70099}`` puts an order on
it. A shop has two pickup addresses in Thai; pickup slots cover the next
three days in Bangkok time.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .generator import SHOP_TZ

PICKUP_NEEDS = ["address_id", "pickup_time_id"]
NON_INTEGRATED_CHANNEL = (70099, "Other Logistics Provider")
SLOT_DAYS = 3
# (first hour, last hour) of each address's daily pickup windows.
DEFAULT_WINDOWS = ((9, 12), (13, 17))
SECOND_WINDOWS = ((13, 17),)
SHIPPABLE_STATUSES = ("READY_TO_SHIP", "RETRY_SHIP")
SHIPPABLE_LOGISTICS = ("LOGISTICS_READY", "LOGISTICS_PICKUP_RETRY")
ARRANGED = "LOGISTICS_REQUEST_CREATED"
MODES = ("pickup", "dropoff", "non_integrated")
DOCUMENT_TYPES = (
    "NORMAL_AIR_WAYBILL",
    "THERMAL_AIR_WAYBILL",
    "NORMAL_JOB_AIR_WAYBILL",
    "THERMAL_JOB_AIR_WAYBILL",
    "THERMAL_UNPACKAGED_LABEL",
)
SELECTABLE_DOCUMENT_TYPES = ["NORMAL_AIR_WAYBILL", "THERMAL_AIR_WAYBILL"]
SUGGESTED_DOCUMENT_TYPE = "NORMAL_AIR_WAYBILL"


@dataclass(frozen=True)
class Channel:
    channel_id: int
    name: str
    # info_needed per supported mode; a mode left out is not supported.
    needs: dict = field(default_factory=dict)
    branches: tuple = ()


def _branch(branch_id, address, city, district, zipcode, state="กรุงเทพมหานคร"):
    return {
        "branch_id": branch_id,
        "region": "TH",
        "state": state,
        "city": city,
        "address": address,
        "zipcode": zipcode,
        "district": district,
        "town": "",
    }


CHANNELS = {
    channel.channel_id: channel
    for channel in (
        Channel(
            70016,
            "Flash Express",
            {"pickup": PICKUP_NEEDS, "dropoff": ["branch_id"]},
            (
                _branch(
                    1601001,
                    "Flash Express สาขาอโศก 15 ถนนสุขุมวิท 21",
                    "เขตวัฒนา",
                    "แขวงคลองเตยเหนือ",
                    "10110",
                ),
                _branch(
                    1601002,
                    "Flash Express สาขาลาดพร้าว 1693 ถนนพหลโยธิน",
                    "เขตจตุจักร",
                    "แขวงจตุจักร",
                    "10900",
                ),
            ),
        ),
        Channel(
            70021,
            "Kerry Express",
            {"pickup": PICKUP_NEEDS, "dropoff": []},
            (
                _branch(
                    2101001,
                    "Kerry Express สาขาสีลม 191 ถนนสีลม",
                    "เขตบางรัก",
                    "แขวงสีลม",
                    "10500",
                ),
                _branch(
                    2101002,
                    "Kerry Express สาขาบางนา 2 ซอยบางนา-ตราด 25",
                    "เขตบางนา",
                    "แขวงบางนา",
                    "10260",
                ),
            ),
        ),
        Channel(70023, "J&T Express", {"pickup": PICKUP_NEEDS}),
        Channel(
            70066,
            "SPX Express",
            {"pickup": PICKUP_NEEDS, "dropoff": []},
            (
                _branch(
                    6601001,
                    "SPX Express Drop-off Point พระราม 9 ถนนพระราม 9",
                    "เขตห้วยขวาง",
                    "แขวงห้วยขวาง",
                    "10310",
                ),
                _branch(
                    6601002,
                    "SPX Express Drop-off Point บางกะปิ 3105 ถนนลาดพร้าว",
                    "เขตบางกะปิ",
                    "แขวงคลองจั่น",
                    "10240",
                ),
            ),
        ),
        Channel(
            NON_INTEGRATED_CHANNEL[0],
            NON_INTEGRATED_CHANNEL[1],
            {"non_integrated": ["tracking_no"]},
        ),
    )
}

# Two pickup addresses per shop: (address, district, city, state, zipcode).
SHOP_ADDRESSES = {
    600100200: (
        (
            "88/8 ซอยสุขุมวิท 71",
            "แขวงคลองตันเหนือ",
            "เขตวัฒนา",
            "กรุงเทพมหานคร",
            "10110",
        ),
        (
            "55/1 หมู่ 4 ถนนบางนา-ตราด",
            "ตำบลบางแก้ว",
            "อำเภอบางพลี",
            "สมุทรปราการ",
            "10540",
        ),
    ),
    600100201: (
        (
            "19 ถนนนิมมานเหมินท์",
            "ตำบลสุเทพ",
            "อำเภอเมืองเชียงใหม่",
            "เชียงใหม่",
            "50200",
        ),
        (
            "7 หมู่ 2 ถนนเชียงใหม่-สันกำแพง",
            "ตำบลบ่อสร้าง",
            "อำเภอสันกำแพง",
            "เชียงใหม่",
            "50130",
        ),
    ),
}


def channel_of(parcel):
    """The package's channel; an unknown one is treated like pickup only."""
    channel_id = parcel.get("logistics_channel_id")
    channel = CHANNELS.get(channel_id)
    if channel is None:
        name = parcel.get("shipping_carrier") or f"Channel {channel_id}"
        channel = Channel(channel_id, name, {"pickup": PICKUP_NEEDS})
    return channel


def addresses(shop_id, now):
    """The shop's pickup addresses with their time slots (ids: digits of shop)."""
    rows = SHOP_ADDRESSES.get(shop_id, SHOP_ADDRESSES[600100200])
    found = []
    for index, (street, district, city, state, zipcode) in enumerate(rows):
        windows = DEFAULT_WINDOWS if index == 0 else SECOND_WINDOWS
        slots = time_slots(now, windows)
        if index == 0 and slots:
            slots[0]["flags"] = ["recommended"]
        found.append(
            {
                "address_id": address_id(shop_id, index),
                "region": "TH",
                "state": state,
                "city": city,
                "district": district,
                "town": "",
                "address": street,
                "zipcode": zipcode,
                "address_flag": (
                    ["default_address", "pickup_address", "return_address"]
                    if index == 0
                    else []
                ),
                "time_slot_list": slots,
            }
        )
    return found


def address_id(shop_id, index):
    return 10_000_000 + (shop_id % 1_000_000) * 10 + index + 1


def time_slots(now, windows):
    """Pickup slots of the next SLOT_DAYS days (from tomorrow), Bangkok time."""
    today = datetime.fromtimestamp(now, SHOP_TZ).date()
    slots = []
    for offset in range(1, SLOT_DAYS + 1):
        day = today + timedelta(days=offset)
        for first, last in windows:
            start = datetime(day.year, day.month, day.day, first, tzinfo=SHOP_TZ)
            epoch = int(start.timestamp())
            slots.append(
                {
                    "date": epoch,
                    "time_text": f"{day:%d/%m/%Y} {first:02d}:00-{last:02d}:00",
                    "pickup_time_id": str(epoch),
                    "flags": [],
                }
            )
    return slots


def shipping_parameter(shop_id, channel, now):
    """get_shipping_parameter's ``response`` for a package of ``channel``."""
    answer = {
        "info_needed": {mode: list(needs) for mode, needs in channel.needs.items()}
    }
    if "pickup" in channel.needs:
        answer["pickup"] = {"address_list": addresses(shop_id, now)}
    if "dropoff" in channel.needs:
        answer["dropoff"] = {
            "branch_list": [dict(branch) for branch in channel.branches],
            "slug_list": [],
        }
    return answer
