"""A small PDF 1.4 writer: pages of Helvetica text, lines and filled rectangles.

Enough for a printable report without a typesetting dependency (weasyprint needs pango and
friends). Coordinates are in points from the top-left corner of an A4 page; text is encoded as
WinAnsi (Latin-1), which covers the report's labels; other characters print as "?".
"""

from __future__ import annotations

from dataclasses import dataclass, field

A4_WIDTH = 595.0
A4_HEIGHT = 842.0
Color = tuple[float, float, float]
BLACK: Color = (0.0, 0.0, 0.0)


def _escape(text: str) -> bytes:
    raw = text.encode("latin-1", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass
class PdfPage:
    """Drawing operations of one page."""

    ops: list[bytes] = field(default_factory=list)

    def _y(self, y: float) -> float:
        return A4_HEIGHT - y

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 10,
        bold: bool = False,
        color: Color = BLACK,
    ) -> None:
        """Text with its baseline at (x, y)."""
        font = "F2" if bold else "F1"
        r, g, b = color
        self.ops.append(
            f"BT {_num(r)} {_num(g)} {_num(b)} rg /{font} {_num(size)} Tf "
            f"{_num(x)} {_num(self._y(y))} Td (".encode()
            + _escape(text)
            + b") Tj ET"
        )

    def rect(self, x: float, y: float, width: float, height: float, fill: Color) -> None:
        """A filled rectangle whose top-left corner is (x, y)."""
        r, g, b = fill
        self.ops.append(
            f"{_num(r)} {_num(g)} {_num(b)} rg {_num(x)} {_num(self._y(y + height))} "
            f"{_num(width)} {_num(height)} re f".encode()
        )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        color: Color = BLACK,
        width: float = 0.5,
    ) -> None:
        """A straight stroke."""
        r, g, b = color
        self.ops.append(
            f"{_num(r)} {_num(g)} {_num(b)} RG {_num(width)} w {_num(x1)} {_num(self._y(y1))} m "
            f"{_num(x2)} {_num(self._y(y2))} l S".encode()
        )


@dataclass
class PdfDocument:
    """Pages in order; `render` writes the file."""

    title: str = ""
    pages: list[PdfPage] = field(default_factory=list)

    def add_page(self) -> PdfPage:
        page = PdfPage()
        self.pages.append(page)
        return page

    def render(self) -> bytes:
        """The document as PDF bytes (objects, cross-reference table, trailer)."""
        if not self.pages:
            self.add_page()
        objects: list[bytes] = []
        # Fixed objects: 1 catalog, 2 page tree, 3 regular font, 4 bold font, 5 info.
        page_ids = [6 + 2 * index for index in range(len(self.pages))]
        kids = " ".join(f"{pid} 0 R" for pid in page_ids)
        objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
        objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode())
        for base in ("Helvetica", "Helvetica-Bold"):
            objects.append(
                f"<< /Type /Font /Subtype /Type1 /BaseFont /{base} "
                "/Encoding /WinAnsiEncoding >>".encode()
            )
        objects.append(b"<< /Title (" + _escape(self.title) + b") /Producer (MedMind) >>")
        for page, pid in zip(self.pages, page_ids, strict=True):
            objects.append(
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_num(A4_WIDTH)} {_num(A4_HEIGHT)}] "
                "/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
                f"/Contents {pid + 1} 0 R >>".encode()
            )
            stream = b"\n".join(page.ops)
            objects.append(
                f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream"
            )
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets: list[int] = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        xref_at = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
        for offset in offsets:
            out += f"{offset:010d} 00000 n \n".encode()
        out += (
            f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 5 0 R >>\n"
            f"startxref\n{xref_at}\n%%EOF\n"
        ).encode()
        return bytes(out)
