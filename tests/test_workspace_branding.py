"""Workspace branding: the logo upload and its checks, the accent colour, the paper size, the
logo URL and the header."""

import re
import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from accounts.branding import LogoError, contrast_ratio, read_logo, sanitize_svg
from accounts.models import PaperSize, Workspace

SVG_NS = "http://www.w3.org/2000/svg"


def _png(width: int = 8, height: int = 4, color=(31, 95, 168)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def _jpeg() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 4), (240, 138, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a size its (tiny) data never delivers: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + chunk(b"IEND", b"")
    )


SIMPLE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20">'
    b'<rect width="40" height="20" fill="#1f5fa8"/></svg>'
)

HOSTILE_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 100 40" onload="alert(1)">
  <script>alert(2)</script>
  <style>rect { fill: url(https://tracker.example/pixel) }</style>
  <defs>
    <linearGradient id="fade" xlink:href="https://evil.example/g.svg#x">
      <stop offset="0" stop-color="#1f5fa8"/>
    </linearGradient>
    <circle id="dot" r="4"/>
  </defs>
  <rect id="box" width="100" height="40" fill="url(#fade)" onclick="alert(3)"
        style="fill: url(https://tracker.example/x)"/>
  <path d="M0 0 L10 10" stroke="javascript:alert(4)"/>
  <use xlink:href="#dot" x="10" y="10"/>
  <use href="https://evil.example/sprite.svg#logo"/>
  <foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
  <image href="https://tracker.example/pixel.png" width="1" height="1"/>
  <a href="javascript:alert(5)"><text x="5" y="30">Northwind</text></a>
</svg>"""


def _upload(data: bytes, name: str = "logo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _settings_url(workspace: Workspace) -> str:
    return reverse("accounts:workspace_settings", args=[workspace.slug])


def _logo_url(workspace: Workspace) -> str:
    return reverse("accounts:workspace_logo", args=[workspace.slug])


def _save_settings(client, workspace: Workspace, **changes):
    data = {"name": workspace.name, "accent_color": "#1f5fa8", "paper_size": "A4", **changes}
    return client.post(_settings_url(workspace), data)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def _state(workspace: Workspace) -> tuple:
    workspace.refresh_from_db()
    return (
        workspace.name,
        bytes(workspace.logo),
        workspace.logo_content_type,
        workspace.accent_color,
        workspace.paper_size,
    )


# ---- Accepted logos -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type"), [(_png(), "image/png"), (_jpeg(), "image/jpeg")], ids=["png", "jpeg"]
)
def test_a_png_or_jpeg_logo_is_stored_as_uploaded_and_served_back(
    owner_client, workspace, data, content_type
):
    # The browser's name and type are wrong on purpose: the content decides.
    response = _save_settings(
        owner_client, workspace, logo=_upload(data, "logo.bin", "application/octet-stream")
    )
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.has_logo
    assert bytes(workspace.logo) == data
    assert workspace.logo_content_type == content_type

    served = owner_client.get(_logo_url(workspace))
    assert served.status_code == 200
    assert served.content == data
    assert served["Content-Type"] == content_type
    assert served["Cache-Control"] == "private, max-age=3600"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["ETag"]


def test_an_svg_logo_is_stored_sanitized_and_served_with_a_sandboxing_policy(
    owner_client, workspace
):
    _save_settings(owner_client, workspace, logo=_upload(HOSTILE_SVG, "logo.svg", "image/svg+xml"))
    workspace.refresh_from_db()
    assert workspace.logo_content_type == "image/svg+xml"
    assert b"<script" not in bytes(workspace.logo)

    served = owner_client.get(_logo_url(workspace))
    assert served["Content-Type"] == "image/svg+xml"
    assert served.content == bytes(workspace.logo)
    assert (
        served["Content-Security-Policy"]
        == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )


def test_members_of_every_role_see_the_logo_and_outsiders_do_not(
    client, workspace, viewer, outsider
):
    workspace.set_logo(data=_png(), content_type="image/png")
    workspace.save()
    client.force_login(viewer)
    assert client.get(_logo_url(workspace)).status_code == 200
    client.force_login(outsider)
    assert client.get(_logo_url(workspace)).status_code == 404


def test_a_workspace_without_a_logo_answers_404(owner_client, workspace):
    assert owner_client.get(_logo_url(workspace)).status_code == 404


def test_the_logo_answers_304_to_a_matching_if_none_match_and_changes_its_etag_with_it(
    owner_client, workspace
):
    workspace.set_logo(data=_png(), content_type="image/png")
    workspace.save()
    etag = owner_client.get(_logo_url(workspace))["ETag"]

    cached = owner_client.get(_logo_url(workspace), headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached["ETag"] == etag
    assert cached["Cache-Control"] == "private, max-age=3600"

    _save_settings(owner_client, workspace, logo=_upload(_jpeg(), "new.jpg", "image/jpeg"))
    fresh = owner_client.get(_logo_url(workspace), headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag
    assert fresh["Content-Type"] == "image/jpeg"


# ---- The SVG sanitizer ----------------------------------------------------------------------


def test_the_svg_sanitizer_keeps_the_shapes_and_drops_everything_active():
    clean = sanitize_svg(HOSTILE_SVG)
    text = clean.decode()

    for kept in ("<rect", "<path", "<circle", "<linearGradient", "<stop", "<text", "Northwind"):
        assert kept in text, kept
    assert 'fill="url(#fade)"' in text  # internal references stay
    assert 'xlink:href="#dot"' in text
    for dropped in (
        "<script",
        "alert",
        "onload",
        "onclick",
        "<style",
        "<foreignObject",
        "<div",
        "<image",
        "<a ",
        "javascript:",
        "https://",
        "tracker",
        "evil",
    ):
        assert dropped not in text, dropped
    assert text.count("<use") == 1  # the external <use> is gone, the internal one stays


@pytest.mark.parametrize(
    "style",
    [
        "fill: u/**/rl(https://tracker.example/x)",
        "fill: url/**/(https://tracker.example/x)",
        "background: java/**/script:alert(1)",
        "fill: u\\72l(https://tracker.example/x)",
    ],
)
def test_the_svg_sanitizer_drops_a_style_hiding_a_url_behind_a_css_comment_or_escape(style):
    svg = f'<svg xmlns="{SVG_NS}"><rect width="4" height="4" style="{style}" fill="red"/></svg>'
    text = sanitize_svg(svg.encode()).decode()
    assert "style=" not in text and "tracker" not in text and "script" not in text
    assert 'fill="red"' in text  # the rest of the element stays


def test_the_sanitized_svg_is_still_an_svg_in_the_svg_namespace():
    clean = sanitize_svg(b'<svg viewBox="0 0 4 4"><circle r="2"/></svg>')  # no xmlns given
    assert clean.startswith(b"<?xml")
    assert f'<svg xmlns="{SVG_NS}"'.encode() in clean
    assert b'<circle r="2" />' in clean


@pytest.mark.parametrize(
    "svg",
    [
        b'<!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>',
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>',
        b'<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>',
        # The same in UTF-16, where a search for the bytes "<!DOCTYPE" finds nothing.
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE svg [<!ENTITY a "b">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>'.encode("utf-16"),
    ],
    ids=["billion-laughs", "public-doctype", "external-entity", "utf-16"],
)
def test_an_svg_with_a_doctype_or_entities_is_refused(svg):
    with pytest.raises(LogoError, match="DOCTYPE"):
        sanitize_svg(svg)


def test_an_svg_with_nothing_visible_left_is_refused():
    with pytest.raises(LogoError, match="Nothing visible"):
        sanitize_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')


def test_an_xml_file_whose_root_is_not_svg_is_refused():
    with pytest.raises(LogoError, match="not a PNG, JPEG or SVG"):
        read_logo(b'<html xmlns="http://www.w3.org/1999/xhtml"><svg/></html>')


# ---- Refused uploads ------------------------------------------------------------------------

REFUSED_UPLOADS = {
    "text-named-png": (b"just some text, honest", "logo.png", "image/png"),
    "html-named-png": (b"<!DOCTYPE html><html><body>hi</body></html>", "logo.png", "image/png"),
    "pdf": (b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "logo.pdf", "application/pdf"),
    "gif": (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9", "logo.gif", "x"),
    "empty": (b"", "logo.png", "image/png"),
    "truncated-png": (_png(64, 64)[:60], "logo.png", "image/png"),
    "oversized": (_png() + b"\0" * (512 * 1024), "logo.png", "image/png"),
    "too-many-pixels": (_png(5000, 1), "logo.png", "image/png"),
    "decompression-bomb": (_png_claiming(100_000, 100_000), "logo.png", "image/png"),
    "svg-with-doctype": (b'<!DOCTYPE svg [<!ENTITY a "b">]><svg/>', "logo.svg", "image/svg+xml"),
    "malformed-svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "l.svg", "x"),
}

EXPECTED_MESSAGES = {
    "text-named-png": "not a PNG, JPEG or SVG image",
    "html-named-png": "not a PNG, JPEG or SVG image",
    "pdf": "not a PNG, JPEG or SVG image",
    "gif": "not a PNG, JPEG or SVG image",
    "empty": "The file is empty",
    "truncated-png": "could not be read",
    "oversized": "at most 512 KB",
    "too-many-pixels": "at most 4000 × 4000 pixels",
    "decompression-bomb": "at most 4000 × 4000 pixels",
    "svg-with-doctype": "DOCTYPE",
    "malformed-svg": "not well-formed XML",
}


@pytest.mark.parametrize("case", REFUSED_UPLOADS, ids=list(REFUSED_UPLOADS))
def test_a_refused_upload_says_what_is_accepted_and_changes_nothing(owner_client, workspace, case):
    workspace.set_logo(data=_png(), content_type="image/png")
    workspace.save()
    before = _state(workspace)

    response = _save_settings(
        owner_client,
        workspace,
        name="Renamed",
        accent_color="#aa0000",
        paper_size="Letter",
        logo=_upload(*REFUSED_UPLOADS[case]),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["logo"]
    assert EXPECTED_MESSAGES[case] in errors[0]
    assert _state(workspace) == before  # the old logo stays, and nothing else is saved
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    # The rest of what was typed is kept for the next try.
    assert 'value="Renamed"' in html
    assert 'value="#aa0000"' in html
    assert re.search(r'value="Letter"[^>]*checked', html)
    # ...but the header still shows the saved workspace, not the refused edits.
    assert "--brand: #1f5fa8" in html
    assert re.search(r"<summary[^>]*>.*Northwind.*</summary>", html, re.S)


def test_accepted_types_are_named_in_every_refusal():
    for case, (data, _, _) in REFUSED_UPLOADS.items():
        if case == "svg-with-doctype":
            continue  # this one says what to change in the file instead
        with pytest.raises(LogoError) as refusal:
            read_logo(data)
        assert "PNG" in str(refusal.value) or "4000" in str(refusal.value), case


# ---- Removing the logo ----------------------------------------------------------------------


def test_the_owner_removes_the_logo(owner_client, workspace):
    workspace.set_logo(data=_png(), content_type="image/png")
    workspace.save()
    page = owner_client.get(_settings_url(workspace)).content.decode()
    assert "Remove the logo" in page

    _save_settings(owner_client, workspace, remove_logo="on")

    workspace.refresh_from_db()
    assert not workspace.has_logo
    assert bytes(workspace.logo) == b""
    assert workspace.logo_data_uri is None
    assert owner_client.get(_logo_url(workspace)).status_code == 404


def test_removing_and_uploading_at_once_is_refused(owner_client, workspace):
    workspace.set_logo(data=_png(), content_type="image/png")
    workspace.save()
    before = _state(workspace)
    response = _save_settings(owner_client, workspace, remove_logo="on", logo=_upload(_jpeg()))
    assert "remove_logo" in response.context["form"].errors
    assert _state(workspace) == before


def test_the_remove_checkbox_is_offered_only_when_there_is_a_logo(owner_client, workspace):
    assert "Remove the logo" not in owner_client.get(_settings_url(workspace)).content.decode()


def test_saving_without_a_new_file_keeps_the_logo(owner_client, workspace):
    workspace.set_logo(data=_png(), content_type="image/png")
    workspace.save()
    _save_settings(owner_client, workspace, name="Northwind Partners")
    workspace.refresh_from_db()
    assert workspace.name == "Northwind Partners"
    assert bytes(workspace.logo) == _png()


# ---- Accent colour and paper size ------------------------------------------------------------


@pytest.mark.parametrize(
    ("color", "message"),
    [
        ("red", "six hexadecimal digits"),
        ("#12345", "six hexadecimal digits"),
        ("#GGGGGG", "six hexadecimal digits"),
        ("1f5fa8", "six hexadecimal digits"),
        ("rgb(1,2,3)", "at most 7 characters"),
    ],
)
def test_an_accent_colour_that_is_not_rrggbb_is_refused(owner_client, workspace, color, message):
    response = _save_settings(owner_client, workspace, accent_color=color)
    assert message in response.context["form"].errors["accent_color"][0]
    workspace.refresh_from_db()
    assert workspace.accent_color == "#1f5fa8"


def test_an_accent_colour_in_capitals_is_stored_in_lower_case(owner_client, workspace):
    _save_settings(owner_client, workspace, accent_color="#0B7A3E")
    workspace.refresh_from_db()
    assert workspace.accent_color == "#0b7a3e"
    _save_settings(owner_client, workspace, accent_color="#1F5FA8")
    workspace.refresh_from_db()
    assert workspace.accent_color == "#1f5fa8"


@pytest.mark.parametrize(
    ("accent", "text"),
    [
        ("#1f5fa8", "#ffffff"),  # the default blue
        ("#16324f", "#ffffff"),  # navy
        ("#000000", "#ffffff"),
        ("#ffd166", "#17212e"),  # a light yellow
        ("#ffffff", "#17212e"),
        ("#7fdbff", "#17212e"),  # a light blue
    ],
)
def test_the_text_colour_on_the_accent_is_the_one_with_more_contrast(accent, text):
    workspace = Workspace(accent_color=accent)
    assert workspace.accent_text_color == text
    other = "#17212e" if text == "#ffffff" else "#ffffff"
    assert contrast_ratio(text, accent) >= contrast_ratio(other, accent)


def test_contrast_ratio_matches_wcag():
    assert round(contrast_ratio("#000000", "#ffffff"), 2) == 21
    assert round(contrast_ratio("#777777", "#ffffff"), 2) == 4.48  # WebAIM's checker agrees
    assert contrast_ratio("#1f5fa8", "#ffffff") == contrast_ratio("#ffffff", "#1f5fa8")


def test_paper_size_offers_a4_and_letter(owner_client, workspace):
    assert PaperSize.values == ["A4", "Letter"]
    assert Workspace().paper_size == "A4"
    page = owner_client.get(_settings_url(workspace)).content.decode()
    assert re.search(r'type="radio" name="paper_size" value="A4"[^>]*checked', page)
    assert 'value="Letter"' in page

    _save_settings(owner_client, workspace, paper_size="Letter")
    workspace.refresh_from_db()
    assert workspace.paper_size == PaperSize.LETTER

    response = _save_settings(owner_client, workspace, paper_size="Legal")
    assert "paper_size" in response.context["form"].errors
    workspace.refresh_from_db()
    assert workspace.paper_size == PaperSize.LETTER


def test_a_rename_without_the_branding_fields_keeps_them(owner_client, workspace):
    Workspace.objects.filter(pk=workspace.pk).update(accent_color="#aa0000", paper_size="Letter")
    owner_client.post(_settings_url(workspace), {"name": "Northwind Partners"})
    workspace.refresh_from_db()
    assert (workspace.name, workspace.accent_color, workspace.paper_size) == (
        "Northwind Partners",
        "#aa0000",
        "Letter",
    )


# ---- Who may change it ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["consultant", "viewer"])
def test_only_owners_change_the_branding(client, workspace, role, request):
    client.force_login(request.getfixturevalue(role))
    before = _state(workspace)
    assert client.get(_settings_url(workspace)).status_code == 403
    response = _save_settings(client, workspace, accent_color="#aa0000", logo=_upload(_png()))
    assert response.status_code == 403
    assert _state(workspace) == before


def test_an_outsider_gets_404_on_the_settings(client, workspace, outsider):
    client.force_login(outsider)
    before = _state(workspace)
    assert client.get(_settings_url(workspace)).status_code == 404
    assert _save_settings(client, workspace, accent_color="#aa0000").status_code == 404
    assert _state(workspace) == before


# ---- The model and the database ----------------------------------------------------------


def test_existing_and_new_workspaces_get_the_default_branding(workspace):
    assert (workspace.accent_color, workspace.paper_size) == ("#1f5fa8", "A4")
    assert not workspace.has_logo
    assert workspace.logo_data_uri is None
    assert workspace.updated_at is not None


def test_the_logo_data_uri_holds_the_logo_in_base64(workspace):
    workspace.set_logo(data=SIMPLE_SVG, content_type="image/svg+xml")
    workspace.save()
    workspace = Workspace.objects.get(pk=workspace.pk)  # as the report would load it
    assert workspace.logo_data_uri.startswith("data:image/svg+xml;base64,PHN2Zy")


def test_saving_moves_updated_at(workspace):
    before = workspace.updated_at
    workspace.name = "Northwind Partners"
    workspace.save()
    assert workspace.updated_at > before


@pytest.mark.parametrize(
    "change",
    [
        {"accent_color": "red"},
        {"accent_color": "#1F5FA8"},  # upper case: the DB insists on the stored form
        {"accent_color": "#12345"},
        {"accent_color": "#1f5fa8\n"},
        {"paper_size": "Legal"},
        {"paper_size": ""},
        {"logo_content_type": "image/gif", "logo": b"GIF89a"},
        {"logo_content_type": "image/png"},  # a type without a logo
        {"logo": b"\x89PNG"},  # a logo without a type
    ],
    ids=lambda change: repr(change),
)
def test_the_database_refuses_bad_branding_on_its_own(workspace, change):
    # PostgreSQL refuses a value longer than the column as a DataError; SQLite needs the check.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Workspace.objects.filter(pk=workspace.pk).update(**change)


# ---- The header ----------------------------------------------------------------------------


def test_the_header_shows_the_logo_beside_the_name_and_the_accent_stripe(owner_client, workspace):
    workspace.accent_color = "#0b7a3e"
    workspace.set_logo(data=_png(), content_type="image/png")
    workspace.save()
    response = owner_client.get(reverse("accounts:member_list", args=[workspace.slug]))
    html = response.content.decode()

    # The colour rides in a <style> that the Content-Security-Policy lets through by its nonce.
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<style nonce="{nonce}">.site-header {{ --brand: #0b7a3e; }}</style>' in html
    assert '<header class="site-header">' in html
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", html, re.S).group(1)
    image = re.search(r"<img [^>]*>", summary).group(0)
    assert f'src="{_logo_url(workspace)}?v=' in image
    assert 'alt=""' in image
    assert "Northwind" in summary


def test_the_header_has_no_logo_image_without_a_logo(owner_client, workspace):
    html = owner_client.get(reverse("accounts:member_list", args=[workspace.slug])).content.decode()
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", html, re.S).group(1)
    assert "<img" not in summary
    assert "--brand: #1f5fa8" in html


def test_pages_do_not_load_the_logo_bytes_to_draw_the_header(owner_client, workspace):
    workspace.set_logo(data=_png(), content_type="image/png")
    workspace.save()
    with CaptureQueriesContext(connection) as queries:
        owner_client.get(reverse("accounts:member_list", args=[workspace.slug]))
    assert queries.captured_queries
    assert not any('"accounts_workspace"."logo",' in q["sql"] for q in queries.captured_queries)


def test_the_admin_shows_the_branding_without_offering_to_edit_it(admin_client, workspace):
    workspace.set_logo(data=_png(), content_type="image/png")
    workspace.save()
    url = reverse("admin:accounts_workspace_change", args=[workspace.pk])
    html = admin_client.get(url).content.decode()
    assert "image/png" in html
    assert "#1f5fa8" in html
    assert 'name="accent_color"' not in html
    assert admin_client.get(reverse("admin:accounts_workspace_add")).status_code == 200
