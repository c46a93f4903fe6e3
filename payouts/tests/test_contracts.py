import zipfile
from decimal import Decimal
from io import BytesIO
from xml.etree import ElementTree

import pytest
from django.utils import formats, translation

from payouts.contracts import (
    contract_filename,
    html_to_docx,
    render_contract_docx,
    render_contract_html,
)

from . import factories as pf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_paragraphs(data: bytes) -> list[str]:
    """The text of every paragraph of a DOCX, tables included, read the way a
    word processor reads it: from the package's main document part."""
    with zipfile.ZipFile(BytesIO(data)) as package:
        assert package.testzip() is None
        names = set(package.namelist())
        assert {
            "[Content_Types].xml",
            "_rels/.rels",
            "word/document.xml",
            "word/styles.xml",
        } <= names
        root = ElementTree.fromstring(package.read("word/document.xml"))  # noqa: S314 (our own output)
    return [
        "".join(node.text or "" for node in paragraph.iter(f"{W}t")).replace("\xa0", " ")
        for paragraph in root.iter(f"{W}p")
    ]


@pytest.fixture
def contracted(competition, group, owner, official):
    competition.operator.nip = "5260250274"
    competition.operator.address = "ul. Rynek 1, 00-001 Testowo"
    competition.operator.save()
    group.nip = "7010000000"
    group.save()
    return pf.signed_grant(
        competition=competition,
        group=group,
        owner=owner,
        official=official,
        amounts=(Decimal("3200.00"), Decimal("800.00")),
    )


def test_docx_names_the_parties_and_the_amounts(contracted):
    text = "\n".join(docx_paragraphs(render_contract_docx(contracted)))
    grant = contracted
    assert grant.contract_number in text
    assert "Urząd Miasta Testowo" in text
    assert "5260250274" in text
    assert "Stowarzyszenie Zielone Zabłocie" in text
    assert "0000123456" in text  # the group's KRS
    assert "Jan Burmistrz" in text and "Olga Właścicielka" in text
    for amount in ("4 000,00", "3 200,00", "800,00", "3 700,00"):
        assert amount in text, amount
    assert "PL61 1090 1014 0000 0712 1981 2874" in text
    with translation.override("pl"):
        for day in (
            grant.project_start,
            grant.project_end,
            grant.final_report_due,
            grant.refund_due,
        ):
            assert formats.date_format(day, "DATE_FORMAT") in text
    assert "10%" in text
    assert "Ogród sąsiedzki na Zabłociu" in text


def test_docx_tables_hold_the_tranches_and_the_budget(contracted):
    with zipfile.ZipFile(BytesIO(render_contract_docx(contracted))) as package:
        root = ElementTree.fromstring(package.read("word/document.xml"))  # noqa: S314 (our own output)
    tables = list(root.iter(f"{W}tbl"))
    assert len(tables) >= 2
    rows = [
        [
            "".join(t.text or "" for t in cell.iter(f"{W}t")).replace("\xa0", " ")
            for cell in row.iter(f"{W}tc")
        ]
        for row in tables[0].iter(f"{W}tr")
    ]
    assert rows[1][:2] == ["1", "3 200,00"]
    assert rows[2][:2] == ["2", "800,00"]


def test_html_is_printable_and_has_the_same_data(contracted):
    html = render_contract_html(contracted)
    assert "<h1>" in html and "@page" in html
    assert contracted.contract_number in html
    assert "4\xa0000,00" in html


def test_operator_may_replace_the_template(contracted, settings, tmp_path):
    folder = tmp_path / "templates" / "payouts" / "contract"
    folder.mkdir(parents=True)
    slug = contracted.competition.operator.slug
    (folder / f"{slug}.html").write_text(
        "<h1>Umowa dotacji {{ contract_number }}</h1><p>Kwota: <strong>{{ amount_awarded }} zł</strong></p>",
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    paragraphs = docx_paragraphs(render_contract_docx(contracted))
    assert paragraphs == [f"Umowa dotacji {contracted.contract_number}", "Kwota: 4 000,00 zł"]


def test_converter_keeps_structure_and_escapes_text():
    data = html_to_docx(
        "<h2>§ 1</h2><p>A &amp; B <b>bold</b><br>next</p><ul><li>one</li><li>two</li></ul>"
        "<ol><li>first</li></ol><script>alert(1)</script><p>  spaced\n   out  </p>"
    )
    assert docx_paragraphs(data) == [
        "§ 1",
        "A & B boldnext",
        "• one",
        "• two",
        "1. first",
        "spaced out",
    ]


def test_filename_is_safe(contracted):
    with translation.override("en"):
        assert contract_filename(contracted) == "contract-DL-2026-001.docx"
