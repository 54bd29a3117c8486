"""Air waybills (shipping labels) as ``/order/package/document/get`` prints them.

One page per package, A6 (105 × 148 mm: the size of the label in Lazada's
PrintAWB example), with the carrier, the tracking number (text and a
Code 128 barcode), package id, order number, the shop, the recipient's name,
phone and Thai address, the COD amount and, with ``print_item_list``, the
items. A label is a dict made by ``Fulfilment.awb_labels``.

The PDF needs reportlab, imported here only when a PDF is asked for: the rest
of the simulator runs on the standard library and werkzeug. Thai text needs a
TrueType font with Thai glyphs (fonts-thai-tlwg's Garuda or Loma, or Noto
Sans Thai); without one the labels fall back to Helvetica (the Thai then
prints as black boxes) and one warning is logged.
"""

import html
import io
import logging
import threading

_logger = logging.getLogger("lazada_simulator")

PAGE_MM = (105, 148)
THAI_FONTS = (
    ("/usr/share/fonts/truetype/tlwg/Garuda.ttf",
     "/usr/share/fonts/truetype/tlwg/Garuda-Bold.ttf"),
    ("/usr/share/fonts/truetype/tlwg/Loma.ttf",
     "/usr/share/fonts/truetype/tlwg/Loma-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf",
     "/usr/share/fonts/truetype/noto/NotoSansThai-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSansThaiLooped-Regular.ttf",
     "/usr/share/fonts/truetype/noto/NotoSansThaiLooped-Bold.ttf"),
)  # fmt: skip
FONT, BOLD = "LazadaSimThai", "LazadaSimThai-Bold"
ITEMS_SHOWN = 6
# Thai marks written above or below the letter before them: never a line's first.
_THAI_MARKS = frozenset(
    chr(c) for c in (0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F))
)

_fonts = None
_fonts_lock = threading.Lock()


def fonts():
    """(regular, bold) font names, registering the Thai font once."""
    global _fonts
    with _fonts_lock:
        if _fonts is None:
            _fonts = _register()
        return _fonts


def _register():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for regular, bold in THAI_FONTS:
        try:
            pdfmetrics.registerFont(TTFont(FONT, regular))
        except Exception:  # missing or unreadable: try the next one
            continue
        try:
            pdfmetrics.registerFont(TTFont(BOLD, bold))
            return FONT, BOLD
        except Exception:
            return FONT, FONT
    _logger.warning(
        "no Thai TrueType font found (tried %s): air waybills use Helvetica",
        ", ".join(regular for regular, _bold in THAI_FONTS),
    )
    return "Helvetica", "Helvetica-Bold"


def wrap(text, font, size, width):
    """Lines of ``text`` no wider than ``width`` points: at spaces when it
    can, else between letters (Thai writes no spaces between words)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines = []
    for word in str(text).split(" "):
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and stringWidth(candidate, font, size) <= width:
            lines[-1] = candidate
            continue
        while stringWidth(word, font, size) > width:
            cut = len(word) - 1
            while cut > 1 and (
                stringWidth(word[:cut], font, size) > width or word[cut] in _THAI_MARKS
            ):
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return [line for line in lines if line] or [""]


def render_pdf(labels):
    """One PDF, a page per label; raises ImportError without reportlab."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    regular, bold = fonts()
    buffer = io.BytesIO()
    page = (PAGE_MM[0] * mm, PAGE_MM[1] * mm)
    pdf = canvas.Canvas(buffer, pagesize=page, invariant=1, pageCompression=1)
    pdf.setTitle("Lazada AWB " + ", ".join(lab["package_id"] for lab in labels))
    pdf.setAuthor("Lazada simulator")
    for lab in labels:
        _page(pdf, lab, page, regular, bold)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _page(pdf, lab, page, regular, bold):
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.lib.units import mm

    width, height = page
    left, right = 4 * mm, width - 4 * mm
    inner = right - left
    y = height - 4 * mm  # the top of the next line

    def text(value, size=7, font=regular, centred=False):
        nonlocal y
        for line in wrap(value, font, size, inner):
            y -= size  # the baseline, under the line's Thai marks
            pdf.setFont(font, size)
            if centred:
                pdf.drawCentredString(width / 2, y, line)
            else:
                pdf.drawString(left, y, line)
            y -= size * 0.45

    def rule():
        nonlocal y
        y -= 1 * mm
        pdf.setLineWidth(0.6)
        pdf.line(left, y, right, y)
        y -= 1.5 * mm

    text("Lazada", 16, bold)
    pdf.setFont(bold, 10)
    pdf.drawRightString(right, y + 16 * 0.45 + 1, lab["shipment_provider"])
    rule()

    barcode = Code128(lab["tracking_number"], barHeight=14 * mm, barWidth=0.33 * mm)
    y -= 14 * mm
    barcode.drawOn(pdf, left + max(0, (inner - barcode.width) / 2), y)
    y -= 1 * mm
    text(lab["tracking_number"], 10, bold, centred=True)
    text(f"Tracking No.: {lab['tracking_number']}")
    text(f"Package ID: {lab['package_id']}")
    text(f"Order No.: {lab['order_number']}")
    rule()

    text("ผู้รับ / Recipient", 7, bold)
    text(lab["recipient"]["name"], 10, bold)
    text(f"โทร / Tel: {lab['recipient']['phone']}", 8)
    for line in lab["recipient"]["address"]:
        text(line, 8)
    rule()

    seller = lab["seller"]
    text("ผู้ส่ง / Sender", 7, bold)
    text(f"{seller['name']} ({seller['short_code']}), {seller['location']}", 7)
    rule()

    if lab["cod"]:
        text(f"COD เก็บเงินปลายทาง: ฿{lab['cod_amount']}", 11, bold)
    else:
        text("Non-COD: ไม่ต้องเก็บเงิน", 9, bold)
    text(f"Items: {lab['items_count']}", 7)
    items = lab["items"]
    for number, item in enumerate(items, 1):
        if number > ITEMS_SHOWN or y < 16 * mm:
            text(f"… {len(items) - number + 1} more", 6)
            break
        variation = f" ({item['variation']})" if item["variation"] else ""
        text(f"{number}. {item['name']}{variation} [{item['sku']}]", 6)

    pdf.setFont(regular, 5)
    pdf.drawString(left, 4 * mm, f"Order created {lab['created_at']}")
    pdf.drawRightString(right, 4 * mm, "Lazada simulator: not a real label")


def render_html(labels):
    """The same labels as one HTML document (``doc_type`` HTML)."""
    pages = []
    for lab in labels:
        esc = html.escape
        items = "".join(
            f"<li>{esc(item['name'])}"
            + (f" ({esc(item['variation'])})" if item["variation"] else "")
            + f" [{esc(item['sku'])}]</li>"
            for item in lab["items"]
        )
        address = "<br>".join(esc(line) for line in lab["recipient"]["address"])
        cod = (
            f"COD เก็บเงินปลายทาง: ฿{esc(lab['cod_amount'])}"
            if lab["cod"]
            else "Non-COD: ไม่ต้องเก็บเงิน"
        )
        seller = lab["seller"]
        pages.append(
            f'<div class="awb" style="width:{PAGE_MM[0]}mm;height:{PAGE_MM[1]}mm;'
            'page-break-after:always;overflow:hidden;font-size:9pt">'
            f"<h1>Lazada</h1><p>{esc(lab['shipment_provider'])}</p>"
            f"<p>Tracking No.: <b>{esc(lab['tracking_number'])}</b></p>"
            f"<p>Package ID: {esc(lab['package_id'])}<br>"
            f"Order No.: {esc(str(lab['order_number']))}</p>"
            f"<p>ผู้รับ / Recipient: <b>{esc(lab['recipient']['name'])}</b><br>"
            f"โทร / Tel: {esc(lab['recipient']['phone'])}<br>{address}</p>"
            f"<p>ผู้ส่ง / Sender: {esc(seller['name'])} ({esc(seller['short_code'])})"
            f", {esc(seller['location'])}</p>"
            f"<p><b>{cod}</b></p><p>Items: {lab['items_count']}</p>"
            + (f"<ol>{items}</ol>" if items else "")
            + "</div>"
        )
    return (
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
        + "".join(pages)
    )
