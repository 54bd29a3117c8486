"""Air waybills as PDF (download_shipping_document): one page per package.

NORMAL_AIR_WAYBILL pages are A4, THERMAL_AIR_WAYBILL pages 100 × 150 mm.
A page shows Shopee and the shop, the carrier, the tracking number (text
and Code128 barcode), order and package numbers, the recipient's name,
phone and Thai address, the sender, how the parcel leaves (pickup slot or
drop-off branch), COD or not, and the items.

reportlab is imported here, lazily: the rest of the simulator needs only the
standard library and werkzeug (reportlab comes with Odoo). Thai needs a
Thai TrueType font: ``SHOPEE_SIMULATOR_THAI_FONT`` names one, else the
first found of Garuda, Loma (Debian's fonts-thai-tlwg) and Noto Sans Thai;
without any, Helvetica (Thai text then shows as blanks) and one warning.
"""

import io
import logging
import os
import threading
from datetime import datetime

from .generator import SHOP_TZ

_logger = logging.getLogger("shopee_simulator")

MM = 72 / 25.4
PAGE_SIZES = {
    "NORMAL_AIR_WAYBILL": (210 * MM, 297 * MM),
    "THERMAL_AIR_WAYBILL": (100 * MM, 150 * MM),
}
# The label's own box: the thermal page, or the top of an A4 sheet.
LABEL_WIDTH = {"NORMAL_AIR_WAYBILL": 180 * MM, "THERMAL_AIR_WAYBILL": 92 * MM}
FONT_DIRS = (
    "/usr/share/fonts/truetype/tlwg",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/noto",
    "/usr/share/fonts/truetype/thai",
)
FONT_FILES = (
    ("Garuda.ttf", "Garuda-Bold.ttf"),
    ("Loma.ttf", "Loma-Bold.ttf"),
    ("NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
)
FONT, BOLD = "ShopeeSimThai", "ShopeeSimThai-Bold"
# Thai vowels and tone marks written above or below the previous letter:
# a line never starts with one.
THAI_MARKS = frozenset(
    chr(code) for code in (0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F))
)

_fonts = None
_fonts_lock = threading.Lock()


def font_files():
    """(regular, bold) paths of the Thai font to use, or None."""
    chosen = os.environ.get("SHOPEE_SIMULATOR_THAI_FONT")
    if chosen and os.path.isfile(chosen):
        return chosen, chosen
    for directory in FONT_DIRS:
        for regular, bold in FONT_FILES:
            path = os.path.join(directory, regular)
            if os.path.isfile(path):
                bold_path = os.path.join(directory, bold)
                return path, bold_path if os.path.isfile(bold_path) else path
    return None


def fonts():
    """(regular, bold) font names, registered with reportlab once."""
    global _fonts
    with _fonts_lock:
        if _fonts is None:
            _fonts = _register()
        return _fonts


def _register():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    files = font_files()
    if files is not None:
        try:
            pdfmetrics.registerFont(TTFont(FONT, files[0]))
            pdfmetrics.registerFont(TTFont(BOLD, files[1]))
            return FONT, BOLD
        except Exception as exc:  # a broken or CFF font file
            _logger.warning("cannot use the Thai font %s: %s", files[0], exc)
    else:
        _logger.warning(
            "no Thai TrueType font found (install fonts-thai-tlwg): waybills "
            "use Helvetica and show no Thai"
        )
    return "Helvetica", "Helvetica-Bold"


def render(pages):
    """The PDF of ``pages`` (``State.waybills``): bytes."""
    from reportlab.pdfgen import canvas

    regular, bold = fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=True)
    pdf.setTitle("Shopee air waybill")
    pdf.setAuthor("Shopee Open Platform simulator")
    for page in pages:
        kind = page["document_type"]
        width, height = PAGE_SIZES.get(kind, PAGE_SIZES["NORMAL_AIR_WAYBILL"])
        pdf.setPageSize((width, height))
        box = LABEL_WIDTH.get(kind, LABEL_WIDTH["NORMAL_AIR_WAYBILL"])
        _Label(pdf, page, regular, bold, (width - box) / 2, height, box).draw()
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def wrap(text, font, size, width):
    """Lines of ``text`` no wider than ``width``: cut at spaces, long words
    between letters (never before a Thai mark)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if stringWidth(candidate, font, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if (
                line
                and char not in THAI_MARKS
                and stringWidth(line + char, font, size) > width
            ):
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines


class _Label:
    """Draws one waybill from the top of the page down."""

    def __init__(self, pdf, page, regular, bold, left, top, width):
        self.pdf, self.page = pdf, page
        self.regular, self.bold = regular, bold
        self.left, self.width = left, width
        self.scale = width / (92 * MM)
        self.y = top - 4 * MM * min(self.scale, 2)
        self.margin = 3 * self.scale

    def size(self, points):
        return points * min(self.scale, 1.5)

    def text(self, value, points=8, bold=False, indent=0):
        font = self.bold if bold else self.regular
        size = self.size(points)
        for line in wrap(str(value), font, size, self.width - indent - 2 * self.margin):
            self.y -= size * 1.25
            self.pdf.setFont(font, size)
            self.pdf.drawString(self.left + self.margin + indent, self.y, line)

    def rule(self, gap=3):
        self.y -= gap
        self.pdf.setLineWidth(0.8)
        self.pdf.line(self.left, self.y, self.left + self.width, self.y)
        self.y -= gap

    def draw(self):
        page = self.page
        self.header()
        self.tracking()
        self.rule()
        self.text(f"Order / คำสั่งซื้อ: {page['order_sn']}", 9, bold=True)
        self.text(f"Package: {page['package_number']}", 8)
        ship_by = _day(page["ship_by_date"])
        weight = page["weight_grams"]
        self.text(f"Ship by: {ship_by}    Weight: {weight} g", 8)
        self.rule()
        self.recipient()
        self.rule()
        self.text(f"ผู้ส่ง (From): {page['shop_name']}", 8, bold=True)
        self.text(page["sender_address"], 7, indent=4)
        self.text(self.mode_text(), 7, indent=4)
        self.rule()
        self.cod()
        self.rule()
        self.items()

    def header(self):
        page, pdf = self.page, self.pdf
        size = self.size(16)
        self.y -= size
        pdf.setFont(self.bold, size)
        pdf.drawString(self.left + self.margin, self.y, "Shopee")
        pdf.setFont(self.bold, self.size(11))
        pdf.drawRightString(
            self.left + self.width - self.margin, self.y, page["carrier"]
        )
        self.text(page["shop_name"], 8)
        self.rule()

    def tracking(self):
        number = self.page["tracking_number"]
        height = 16 * MM * min(self.scale, 1.5)
        try:
            from reportlab.graphics.barcode import code128

            barcode = code128.Code128(number, barHeight=height, barWidth=1, quiet=False)
            bar_width = min(
                1.6 * self.scale, (self.width - 2 * self.margin) / barcode.width
            )
            barcode = code128.Code128(
                number, barHeight=height, barWidth=bar_width, quiet=False
            )
            self.y -= height + 2
            barcode.drawOn(
                self.pdf, self.left + (self.width - barcode.width) / 2, self.y
            )
        except Exception as exc:  # no barcode: the number as text still shows
            _logger.warning("no Code128 barcode on the waybill: %s", exc)
        size = self.size(13)
        self.y -= size * 1.3
        self.pdf.setFont(self.bold, size)
        self.pdf.drawCentredString(self.left + self.width / 2, self.y, number)

    def recipient(self):
        recipient = self.page["recipient"]
        name, phone = recipient.get("name", ""), recipient.get("phone", "")
        self.text(f"ผู้รับ (To): {name}   โทร {phone}", 9, bold=True)
        self.text(recipient.get("full_address", ""), 8, indent=4)
        where = " ".join(
            part
            for part in (
                recipient.get("district"),
                recipient.get("city"),
                recipient.get("state"),
            )
            if part
        )
        self.text(f"{where} {recipient.get('zipcode', '')}", 10, bold=True, indent=4)

    def mode_text(self):
        page = self.page
        if page["mode"] == "dropoff":
            return f"Drop-off / ส่งที่สาขา: {page['branch'] or page['carrier']}"
        if page["mode"] == "non_integrated":
            return "Non-integrated / ขนส่งโดยผู้ขาย"
        slot = page["pickup_time_text"]
        return "Pickup / เข้ารับพัสดุ" + (f": {slot}" if slot else "")

    def cod(self):
        page = self.page
        if page["cod"]:
            self.text(f"COD เก็บเงินปลายทาง: ฿{page['cod_amount']:,}", 12, bold=True)
        else:
            self.text("Non-COD / ไม่ต้องเก็บเงิน", 9, bold=True)

    def items(self):
        self.text("สินค้า (Items)", 8, bold=True)
        items = self.page["items"]
        bottom = 6 * MM
        for index, item in enumerate(items):
            if self.y < bottom + 3 * self.size(7):
                self.text(f"… +{len(items) - index} more", 7, indent=4)
                break
            model = f" ({item['model']})" if item["model"] else ""
            sku = f" [{item['sku']}]" if item["sku"] else ""
            self.text(f"{item['quantity']} × {item['name']}{model}{sku}", 7, indent=4)
        message = self.page["message_to_seller"]
        if message and self.y > bottom + 2 * self.size(7):
            self.text(f"Note: {message}", 7, indent=4)


def _day(moment):
    if not moment:
        return "-"
    return datetime.fromtimestamp(moment, SHOP_TZ).strftime("%d/%m/%Y")
