"""The certificate as a PDF: fpdf2 with HarfBuzz shaping (uharfbuzz) and the full Noto Sans fonts
(Latin with Vietnamese, Khmer, Thai; SIL OFL, installed from PyPI as fontpkg-noto-sans*).

Khmer and Thai need shaping: coeng subscripts, vowels written before their consonant, stacked
marks. Shaped glyphs no longer map one-to-one to characters, so each line is also wrapped in a
PDF `/ActualText` span holding the exact text: copy-paste, screen readers and `pdftotext` then give
back the name exactly as the teacher wrote it.
"""

import io
import logging
from dataclasses import dataclass

import fontpkg_noto_sans
import fontpkg_noto_sans_khmer
import fontpkg_noto_sans_thai
import segno
from fpdf import FPDF

FONTS = {
    "latin": fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf",
    "khmer": fontpkg_noto_sans_khmer.ROOT / "files" / "NotoSansKhmer[wdth,wght].ttf",
    "thai": fontpkg_noto_sans_thai.ROOT / "files" / "NotoSansThai[wdth,wght].ttf",
}


# fontTools logs every glyph list it subsets at INFO: thousands of lines per cohort.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def font_for(text: str) -> str:
    """The font that has the glyphs of `text`: Khmer or Thai if it holds that script, else Latin
    (Noto Sans covers Vietnamese)."""
    for char in text:
        if "\u1780" <= char <= "\u17ff" or "\u19e0" <= char <= "\u19ff":
            return "khmer"
        if "\u0e00" <= char <= "\u0e7f":
            return "thai"
    return "latin"


@dataclass
class Block:
    """The certificate's text in one language."""

    title: str
    certifies: str
    completed: str
    cohort: str
    dates: str
    hours: str
    modules: str
    issued_by: str


@dataclass
class CertificateContent:
    name: str
    name_latin: str
    blocks: list  # the teacher's language first, then English (one block if they are the same)
    partners: str
    code: str
    verify_label: str
    verify_url: str


class _Document(FPDF):
    def line_of(self, text: str, size: float, *, height: float, style: str = "") -> None:
        if not text:
            return
        font = font_for(text)
        # Fonts are loaded when first used: parsing and subsetting a full font is most of the cost.
        if font not in self.fonts:
            self.add_font(font, fname=str(FONTS[font]))
        self.set_font(font, size=size)
        # UTF-16BE with a byte-order mark, as PDF text strings require.
        actual = "FEFF" + text.encode("utf-16-be").hex().upper()
        self._out(f"/Span <</ActualText <{actual}>>> BDC")
        self.multi_cell(0, height, text, align="C", new_x="LMARGIN", new_y="NEXT")
        self._out("EMC")


def render_certificate(content: CertificateContent) -> bytes:
    pdf = _Document(orientation="L", format="A4")
    pdf.set_title("Certificate")
    pdf.set_creator("Pilots")
    pdf.set_text_shaping(True)
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 14, 20)
    pdf.add_page()
    pdf.set_draw_color(40, 70, 120)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, 281, 194)

    # Two columns when there are two languages: the teacher's on the left, English on the right.
    columns = content.blocks
    width = (257 - 10 * (len(columns) - 1)) / len(columns)
    top = 16
    for index, block in enumerate(columns):
        pdf.set_left_margin(20 + index * (width + 10))
        pdf.set_right_margin(297 - (20 + index * (width + 10) + width))
        pdf.set_xy(pdf.l_margin, top)
        pdf.line_of(block.title, 20, height=11)
        pdf.ln(3)
        pdf.line_of(block.certifies, 11, height=7)
        pdf.line_of(content.name, 22, height=13)
        if index == len(columns) - 1 or len(columns) == 1:
            pdf.line_of(content.name_latin, 11, height=7)
        else:
            pdf.ln(7 if content.name_latin else 0)
        pdf.ln(2)
        pdf.line_of(block.completed, 11, height=7)
        pdf.line_of(block.cohort, 14, height=8)
        pdf.line_of(block.dates, 11, height=7)
        pdf.line_of(block.hours, 11, height=7)
        pdf.ln(2)
        pdf.line_of(block.modules, 9, height=5.5)
        pdf.ln(2)
        pdf.line_of(block.issued_by, 10, height=6.5)

    pdf.set_margins(20, 14, 20)
    pdf.set_xy(20, 165)
    pdf.line_of(content.partners, 10, height=6)
    qr = segno.make(content.verify_url, error="m")
    image = io.BytesIO()
    qr.save(image, kind="png", scale=4, border=1)
    image.seek(0)
    pdf.image(image, x=249, y=162, w=32, h=32)
    pdf.set_xy(20, 178)
    pdf.line_of(content.verify_label, 9, height=5.5)
    pdf.line_of(content.code, 12, height=7)
    pdf.line_of(content.verify_url, 8, height=5)
    return bytes(pdf.output())
