"""Fixtures for the API tests of groups and applications: files of each kind
and an application already submitted."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.services import application_submit

# The smallest bytes each type is recognised by: uploads are judged by their
# content, never by their name.
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def pdf():
    return upload("kosztorys.pdf", PDF_BYTES)


@pytest.fixture
def submitted(application, owner):
    """`application`, submitted by its owner: number DL/2026/001."""
    return application_submit(application=application, actor=owner)
