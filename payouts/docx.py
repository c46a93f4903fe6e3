"""A Word document (DOCX) from a small subset of HTML: headings, paragraphs,
lists, tables, bold, italic, underline and line breaks.

Assembled from its XML parts with the standard library alone: the subset is
small, and a library that can read every Word feature would only be used to
write a few of them. Anything outside the subset is kept for its text only;
scripts and styles are skipped.
"""

import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from xml.sax.saxutils import escape, quoteattr

from django.utils import timezone

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BLOCKS = {"p", "h1", "h2", "h3", "li", "td", "th", "div"}
HEADING_STYLES = {"h1": "Heading1", "h2": "Heading2", "h3": "Heading3"}
ALIGN_CLASSES = {"center": "center", "right": "right", "justify": "both"}


@dataclass
class _Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    line_break: bool = False


@dataclass
class _Paragraph:
    style: str = ""
    align: str = ""
    prefix: str = ""
    runs: list[_Run] = field(default_factory=list)

    def has_content(self) -> bool:
        return any(run.text.strip() or run.line_break for run in self.runs)


@dataclass
class _Cell:
    header: bool = False
    paragraphs: list[_Paragraph] = field(default_factory=list)


@dataclass
class _Table:
    plain: bool = False  # no borders, e.g. the signatures
    rows: list[list[_Cell]] = field(default_factory=list)


class _Converter(HTMLParser):
    """Reads the contract's HTML subset into paragraphs and tables. Anything
    outside the subset is read for its text only; scripts and styles are
    skipped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.body: list[_Paragraph | _Table] = []
        self.paragraph: _Paragraph | None = None
        self.tables: list[_Table] = []
        self.cell: _Cell | None = None
        self.lists: list[list] = []  # each: [kind, counter]
        self.bold = self.italic = self.underline = 0
        self.skip = 0

    # Where paragraphs go: into the current table cell or the body.

    def _emit(self, paragraph: _Paragraph) -> None:
        if self.cell is not None:
            self.cell.paragraphs.append(paragraph)
        elif paragraph.has_content():
            self.body.append(paragraph)

    def _close_paragraph(self) -> None:
        if self.paragraph is not None:
            self._emit(self.paragraph)
            self.paragraph = None

    def _open_paragraph(self, style: str = "", align: str = "", prefix: str = "") -> None:
        self._close_paragraph()
        self.paragraph = _Paragraph(style=style, align=align, prefix=prefix)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "head", "title"):
            self.skip += 1
            return
        classes = (attrs.get("class") or "").split()
        align = next((ALIGN_CLASSES[c] for c in classes if c in ALIGN_CLASSES), "")
        if tag in HEADING_STYLES:
            self._open_paragraph(HEADING_STYLES[tag], align)
        elif tag in ("p", "div"):
            self._open_paragraph("", align)
        elif tag in ("ul", "ol"):
            self._close_paragraph()
            self.lists.append([tag, 0])
        elif tag == "li":
            prefix = "• "
            if self.lists:
                self.lists[-1][1] += 1
                if self.lists[-1][0] == "ol":
                    prefix = f"{self.lists[-1][1]}. "
            self._open_paragraph("ListParagraph", align, prefix)
        elif tag == "table":
            self._close_paragraph()
            self.tables.append(_Table(plain=bool({"plain", "signatures"} & set(classes))))
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1].rows:
            self._close_paragraph()
            self.cell = _Cell(header=tag == "th")
            self.tables[-1].rows[-1].append(self.cell)
            self.paragraph = _Paragraph(align=align)
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "u":
            self.underline += 1
        elif tag == "br":
            if self.paragraph is None:
                self._open_paragraph()
            self.paragraph.runs.append(_Run("", line_break=True))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head", "title"):
            self.skip = max(0, self.skip - 1)
            return
        if tag in BLOCKS:
            self._close_paragraph()
            if tag in ("td", "th"):
                self.cell = None
        elif tag in ("ul", "ol"):
            self._close_paragraph()
            if self.lists:
                self.lists.pop()
        elif tag == "table" and self.tables:
            self._close_paragraph()
            table = self.tables.pop()
            if table.rows:
                self.body.append(table)
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag == "u":
            self.underline = max(0, self.underline - 1)

    def handle_data(self, data):
        if self.skip:
            return
        # HTML's whitespace rules: a run of spaces, tabs and newlines is one
        # space. Not Python's str.split(), which would also break the no-break
        # spaces that hold an amount's digits together.
        text = HTML_SPACE.sub(" ", data)
        if not text:
            return
        if self.paragraph is None:
            if not text.strip():
                return
            self._open_paragraph()
        if not self.paragraph.runs or self.paragraph.runs[-1].line_break:
            text = text.lstrip(" ")
        if text:
            self.paragraph.runs.append(
                _Run(text, bool(self.bold), bool(self.italic), bool(self.underline))
            )

    def result(self) -> list[_Paragraph | _Table]:
        self._close_paragraph()
        while self.tables:
            table = self.tables.pop()
            if table.rows:
                self.body.append(table)
        return self.body


def _run_xml(run: _Run, *, bold: bool = False) -> str:
    if run.line_break:
        return "<w:r><w:br/></w:r>"
    props = ""
    if run.bold or bold:
        props += "<w:b/>"
    if run.italic:
        props += "<w:i/>"
    if run.underline:
        props += '<w:u w:val="single"/>'
    props = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(run.text)}</w:t></w:r>'


def _paragraph_xml(paragraph: _Paragraph, *, bold: bool = False) -> str:
    props = ""
    if paragraph.style:
        props += f"<w:pStyle w:val={quoteattr(paragraph.style)}/>"
    if paragraph.align:
        props += f"<w:jc w:val={quoteattr(paragraph.align)}/>"
    props = f"<w:pPr>{props}</w:pPr>" if props else ""
    runs = list(paragraph.runs)
    while runs and not runs[-1].line_break and not runs[-1].text.strip():
        runs.pop()
    if runs and not runs[-1].line_break:
        runs[-1] = _Run(
            runs[-1].text.rstrip(" "), runs[-1].bold, runs[-1].italic, runs[-1].underline
        )
    if paragraph.prefix:
        runs.insert(0, _Run(paragraph.prefix))
    return f"<w:p>{props}{''.join(_run_xml(r, bold=bold) for r in runs)}</w:p>"


def _cell_width_wanted(cell: _Cell) -> int:
    """Characters a cell wants on one line: all of a data cell's text, but
    only the longest word of a header, which may wrap."""
    texts = ["".join(run.text for run in p.runs).strip() for p in cell.paragraphs]
    if cell.header:
        # Bold, so a little wider; split on plain spaces only, as an amount's
        # thousands are joined by a no-break space and must not wrap.
        return 2 + max((len(word) for text in texts for word in text.split(" ")), default=0)
    return max((len(text) for text in texts), default=0)


def _column_widths(table: _Table, columns: int) -> list[int]:
    """Widths in proportion to what each column holds, within bounds, so a
    name column is not squeezed to the width of a number column. The two
    characters added stand for the cell's margins."""
    page = 9638  # A4 less 2 cm margins, in twentieths of a point
    weights = [
        2 + min(30, max([4] + [_cell_width_wanted(row[i]) for row in table.rows if i < len(row)]))
        for i in range(columns)
    ]
    total = sum(weights)
    return [page * weight // total for weight in weights]


def _table_xml(table: _Table) -> str:
    columns = max(len(row) for row in table.rows)
    widths = _column_widths(table, columns)
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    rows = []
    for row in table.rows:
        cells = []
        for index, width in enumerate(widths):
            cell = row[index] if index < len(row) else _Cell()
            paragraphs = [p for p in cell.paragraphs if p.has_content()] or [_Paragraph()]
            body = "".join(_paragraph_xml(p, bold=cell.header) for p in paragraphs)
            cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{body}</w:tc>')
        header = "<w:trPr><w:tblHeader/></w:trPr>" if row and all(c.header for c in row) else ""
        rows.append(f"<w:tr>{header}{''.join(cells)}</w:tr>")
    style = "TableNormal" if table.plain else "TableGrid"
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:w="0" w:type="auto"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
        # Word needs a paragraph between two tables, and one after a table that ends a cell.
        "<w:p/>"
    )


def _document_xml(blocks: list[_Paragraph | _Table]) -> str:
    body = "".join(
        _table_xml(block) if isinstance(block, _Table) else _paragraph_xml(block)
        for block in blocks
    )
    section = (
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" '
        'w:header="708" w:footer="708" w:gutter="0"/></w:sectPr>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}{section}</w:body></w:document>'
    )


# Word refuses a file whose elements are out of the schema's order (pPr:
# keepNext, spacing, ind, jc, outlineLvl; rPr: rFonts, b, i, sz, u, lang), even
# where other readers do not mind.
STYLES_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W_NS}">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:cs="Calibri"/>
<w:sz w:val="22"/><w:lang w:val="pl-PL"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="240"/><w:jc w:val="center"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:jc w:val="center"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="24"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
<w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:qFormat/>
<w:pPr><w:spacing w:after="60"/><w:ind w:left="360"/></w:pPr></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>
<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>
<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/>
<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="18"/></w:rPr>
<w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/>
<w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/>
<w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/>
<w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders></w:tblPr></w:style>
</w:styles>"""

CONTENT_TYPES_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""

PACKAGE_RELS_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""

DOCUMENT_RELS_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""


def _core_xml(title: str) -> str:
    created = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>Grantownik</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
        "</cp:coreProperties>"
    )


def html_to_docx(html: str, *, title: str = "") -> bytes:
    """A DOCX file with the text and structure of the HTML subset."""
    converter = _Converter()
    converter.feed(html)
    converter.close()
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        package.writestr("_rels/.rels", PACKAGE_RELS_XML)
        package.writestr("word/_rels/document.xml.rels", DOCUMENT_RELS_XML)
        package.writestr("word/document.xml", _document_xml(converter.result()))
        package.writestr("word/styles.xml", STYLES_XML)
        package.writestr("docProps/core.xml", _core_xml(title))
    return buffer.getvalue()
