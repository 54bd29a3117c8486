"""Thai buyers and addresses as Lazada Thailand sends them.

Province, district and sub-district come bilingual ("เมืองภูเก็ต/ Mueang
Phuket"): ``address3`` the province, ``address4`` and ``city`` the district,
``address5`` the sub-district with the post code (empty on some orders);
``address1`` (street) and the phone come masked, the post code does not.
"""

# (street, sub-district th/en, district th/en, province th/en, post code)
ADDRESSES = (
    ("99/9 ถนนพหลโยธิน", ("จตุจักร", "Chatuchak"), ("เขตจตุจักร", "Khet Chatuchak"),
     ("กรุงเทพมหานคร", "Bangkok"), "10900"),
    ("123/45 ถนนสุขุมวิท", ("คลองเตย", "Khlong Toei"), ("เขตคลองเตย", "Khet Khlong Toei"),
     ("กรุงเทพมหานคร", "Bangkok"), "10110"),
    ("88/12 ซอยรามอินทรา 40", ("นวลจันทร์", "Nuan Chan"), ("เขตบึงกุ่ม", "Khet Bueng Kum"),
     ("กรุงเทพมหานคร", "Bangkok"), "10230"),
    ("250 ถนนสีลม", ("สีลม", "Si Lom"), ("เขตบางรัก", "Khet Bang Rak"),
     ("กรุงเทพมหานคร", "Bangkok"), "10500"),
    ("45 หมู่ 3", ("สุเทพ", "Suthep"), ("เมืองเชียงใหม่", "Mueang Chiang Mai"),
     ("เชียงใหม่", "Chiang Mai"), "50200"),
    ("12/3 ถนนมิตรภาพ", ("ในเมือง", "Nai Mueang"), ("เมืองขอนแก่น", "Mueang Khon Kaen"),
     ("ขอนแก่น", "Khon Kaen"), "40000"),
    ("7/77 ถนนแจ้งวัฒนะ", ("บางตลาด", "Bang Talat"), ("ปากเกร็ด", "Pak Kret"),
     ("นนทบุรี", "Nonthaburi"), "11120"),
    ("19/1 ถนนเทพกระษัตรี", ("รัษฎา", "Ratsada"), ("เมืองภูเก็ต", "Mueang Phuket"),
     ("ภูเก็ต", "Phuket"), "83000"),
    ("333 หมู่ 5", ("หนองปรือ", "Nong Prue"), ("บางละมุง", "Bang Lamung"),
     ("ชลบุรี", "Chon Buri"), "20150"),
    ("66/8 ถนนกาญจนวนิช", ("หาดใหญ่", "Hat Yai"), ("หาดใหญ่", "Hat Yai"),
     ("สงขลา", "Songkhla"), "90110"),
    ("140 ถนนมิตรภาพ", ("ในเมือง", "Nai Mueang"),
     ("เมืองนครราชสีมา", "Mueang Nakhon Ratchasima"),
     ("นครราชสีมา", "Nakhon Ratchasima"), "30000"),
    ("222 ถนนรัชดาภิเษก", ("ดินแดง", "Din Daeng"), ("เขตดินแดง", "Khet Din Daeng"),
     ("กรุงเทพมหานคร", "Bangkok"), "10400"),
)  # fmt: skip
FIRST_NAMES = (
    "สมชาย ใจดี",
    "กนกวรรณ",
    "พรทิพย์ ศรีสุข",
    "ณัฐพงศ์",
    "วรรณา",
    "อรุณี แก้วมณี",
    "ธนากร",
    "Jirapat",
    "Supaporn K.",
    "Pimchanok",
)
LAST_NAMES = ("", "", "", "", "ใจดี", "Srisuk")
REMARKS = (
    "",
    "",
    "",
    "",
    "",
    "ฝากส่งด่วนนะคะ",
    "ห่อกันกระแทกดีๆ นะครับ",
    "Please pack carefully",
)


def bilingual(pair):
    return f"{pair[0]}/ {pair[1]}"


def mask_street(street):
    keep = max(3, len(street) // 3)
    return street[:keep] + "*" * min(8, len(street) - keep + 3)


def phone(rng):
    return f"66********{rng.randint(0, 99):02d}"


def address(rng, first_name, last_name, with_sub_district=True):
    """``address_shipping`` (and ``address_billing``) of one buyer."""
    street, sub_district, district, province, post_code = rng.choice(ADDRESSES)
    sub = f"{bilingual(sub_district)}/ {post_code}" if with_sub_district else ""
    return {
        "first_name": first_name,
        "last_name": last_name,
        "phone": phone(rng),
        "phone2": "",
        "address1": mask_street(street),
        "address2": "",
        "address3": bilingual(province),
        "address4": bilingual(district),
        "address5": sub,
        "city": bilingual(district),
        "post_code": post_code,
        "country": "Thailand",
    }
