"""Workspace branding, as pure functions: checking an uploaded logo and choosing text colours.

No ORM, no request: `read_logo(data)` takes the uploaded bytes and returns what may be stored,
or raises `LogoError` with a message for the person who uploaded it. The file's *content*
decides its type; its name and the browser's content type are never trusted.
"""

import logging
import re
import warnings
import xml.etree.ElementTree as ET  # hardened below: no DTD gets through, an allowlist on output
from dataclasses import dataclass
from io import BytesIO

from PIL import Image

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_SIDE = 4000  # pixels, each way: a logo never needs more, and decoding stays bounded
MAX_SVG_DEPTH = 50  # nesting levels: real logos use a handful; this bounds the recursion below

PNG, JPEG, SVG = "image/png", "image/jpeg", "image/svg+xml"
LOGO_CONTENT_TYPES = (PNG, JPEG, SVG)

logger = logging.getLogger(__name__)

ACCEPTED = "Upload a PNG, JPEG or SVG image of at most 512 KB."


class LogoError(Exception):
    """The upload cannot be a logo; the message says why, in words for the uploader."""


@dataclass(frozen=True)
class Logo:
    data: bytes
    content_type: str


def read_logo(data: bytes) -> Logo:
    """Check an uploaded logo and return the bytes to store with their content type."""
    if not data:
        raise LogoError(f"The file is empty. {ACCEPTED}")
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError(f"The file is {len(data) // 1024} KB. {ACCEPTED}")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Logo(_checked_bitmap(data, "PNG"), PNG)
    if data.startswith(b"\xff\xd8\xff"):
        return Logo(_checked_bitmap(data, "JPEG"), JPEG)
    return Logo(sanitize_svg(data), SVG)


def _checked_bitmap(data: bytes, kind: str) -> bytes:
    """Open, verify and decode a PNG or JPEG; return it as uploaded.

    The bytes are stored unchanged rather than re-encoded: the owner gets exactly the image
    they chose (colour profile, quality, transparency), and a file that Pillow has fully
    decoded, and that is only ever served as an image with nosniff, cannot act as anything else.
    """
    too_large = (
        f"This image is too large: logos may be at most {MAX_LOGO_SIDE} × {MAX_LOGO_SIDE} pixels."
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns (and beyond twice its limit raises) on decompression bombs.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=[kind]) as image:
                width, height = image.size  # from the header: no pixel decoded yet
            if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE:
                raise LogoError(f"{too_large} This one is {width} × {height}.")
            with Image.open(BytesIO(data), formats=[kind]) as image:
                image.verify()
            with Image.open(BytesIO(data), formats=[kind]) as image:
                image.load()  # verify() skips the pixel data; a truncated file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LogoError(too_large) from None
    except LogoError:
        raise
    except Exception:  # hostile input makes Pillow raise many kinds: all mean "unreadable"
        raise LogoError(
            f"This {kind} file could not be read; it may be damaged. {ACCEPTED}"
        ) from None
    return data


# ---- SVG ------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
ET.register_namespace("xlink", XLINK_NS)  # serialize xlink:href, not ns0:href

# Presentational elements only. Anything else is dropped with everything inside it: script,
# foreignObject (HTML), style, image (external or embedded pictures), animate/set (which can
# rewrite an href), and so on.
SVG_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "title", "desc",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan",
        "linearGradient", "radialGradient", "stop", "clipPath",
        "use",
    }
)  # fmt: skip
# Links and Illustrator's <switch> wrap real artwork: keep what they hold, as a plain group.
SVG_ELEMENTS_KEPT_AS_GROUPS = frozenset({"a", "switch"})

SVG_ATTRIBUTES = frozenset(
    {
        # geometry and structure
        "id", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr",
        "width", "height", "d", "points", "pathLength", "viewBox", "preserveAspectRatio",
        "transform", "version",
        # paint
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
        "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset",
        "stroke-opacity", "opacity", "color", "display", "visibility", "paint-order",
        "vector-effect", "shape-rendering", "clip-path", "clip-rule", "style",
        # gradients and clip paths
        "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform",
        "spreadMethod", "clipPathUnits",
        # text
        "font-family", "font-size", "font-weight", "font-style", "font-variant", "font-stretch",
        "text-anchor", "dominant-baseline", "alignment-baseline", "baseline-shift",
        "letter-spacing", "word-spacing", "text-decoration", "writing-mode", "direction",
        "dx", "dy", "rotate", "textLength", "lengthAdjust",
        f"{{{XML_NS}}}space", f"{{{XML_NS}}}lang",
    }
)  # fmt: skip
# Internal references (`#id`) only, and only where SVG uses them: <use> and gradients.
SVG_HREF_ATTRIBUTES = frozenset({"href", f"{{{XLINK_NS}}}href"})
SVG_ELEMENTS_WITH_HREF = frozenset({"use", "linearGradient", "radialGradient"})

# url(...) pointing outside the file (tracking pixels, remote fonts), and script-ish values.
_EXTERNAL_URL = re.compile(r"url\(\s*(?![\s'\"]*#)", re.IGNORECASE)
_SCRIPTISH = re.compile(r"javascript:|vbscript:|data:|expression\s*\(|@import|-moz-binding", re.I)
_INTERNAL_HREF = re.compile(r"#[A-Za-z_][\w.\-]*")
_DECLARATION = re.compile(rb"<!\s*(?:ENTITY|DOCTYPE\s+svg\b)", re.IGNORECASE)
_ELEMENTS_WITHOUT_INK = frozenset({"svg", "g", "defs", "title", "desc"})

NOT_AN_IMAGE = "This file is not a PNG, JPEG or SVG image, the three kinds of logo accepted."
DECLARATION_REFUSED = (
    "This SVG contains a <!DOCTYPE> or <!ENTITY> declaration, which logos may not use. "
    "Delete it, or export the SVG again (e.g. as “Plain SVG”), and upload that."
)


class _NoDoctypeTreeBuilder(ET.TreeBuilder):
    """Refuses any DOCTYPE, which is where entity declarations (billion laughs, external
    entities) live. It is hooked into the parser, so it holds whatever the file's encoding."""

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise LogoError(DECLARATION_REFUSED if (name or "").lower() == "svg" else NOT_AN_IMAGE)


def sanitize_svg(data: bytes) -> bytes:
    """Parse an SVG safely; return a copy holding only allowlisted elements and attributes."""
    if _DECLARATION.search(data):  # the parser hook catches these too; this names them clearly
        raise LogoError(DECLARATION_REFUSED)
    parser = ET.XMLParser(target=_NoDoctypeTreeBuilder())  # noqa: S314 - no DOCTYPE gets through
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as error:
        if b"<svg" not in data:
            raise LogoError(NOT_AN_IMAGE) from None
        raise LogoError(
            f"This SVG could not be read: it is not well-formed XML ({error}). {ACCEPTED}"
        ) from None
    if root.tag not in (f"{{{SVG_NS}}}svg", "svg"):
        raise LogoError(NOT_AN_IMAGE)
    namespace = SVG_NS if root.tag.startswith("{") else ""  # tolerate a missing xmlns
    clean = _copy_allowed(root, namespace, depth=0)
    if all(element.tag in _ELEMENTS_WITHOUT_INK for element in clean.iter()):
        raise LogoError(
            "Nothing visible is left in this SVG once scripts, embedded pictures and links are "
            "removed. Export it as plain shapes and text, or upload a PNG or JPEG."
        )
    # The copy's tags are unqualified, so the SVG namespace is declared once, on the root;
    # ElementTree declares xlink: and xml: itself.
    clean.attrib = {"xmlns": SVG_NS, **clean.attrib}
    return ET.tostring(clean, encoding="utf-8", xml_declaration=True)


def _copy_allowed(source: ET.Element, namespace: str, *, depth: int) -> ET.Element:
    """A copy of `source` (an allowed element) with only its allowed attributes and children."""
    if depth > MAX_SVG_DEPTH:
        raise LogoError(f"This SVG is nested more than {MAX_SVG_DEPTH} levels deep. {ACCEPTED}")
    name = _local_name(source.tag, namespace)
    if name in SVG_ELEMENTS_KEPT_AS_GROUPS:
        name = "g"
    copy = ET.Element(name)
    for attribute, value in source.attrib.items():
        if _attribute_allowed(name, attribute, value):
            copy.set(attribute, value)
    copy.text = source.text
    for child in source:
        child_name = _local_name(child.tag, namespace)
        keep = child_name in SVG_ELEMENTS or child_name in SVG_ELEMENTS_KEPT_AS_GROUPS
        if child_name == "use":  # a <use> of anything but a shape in this file draws nothing
            keep = any(_is_internal(child.get(href, "")) for href in SVG_HREF_ATTRIBUTES)
        if keep:
            copy.append(_copy_allowed(child, namespace, depth=depth + 1))
            copy[-1].tail = child.tail
        else:
            _keep_tail(copy, child.tail)  # text after a dropped element still belongs here
    return copy


def _local_name(tag: object, namespace: str) -> str | None:
    """`rect` for an element in the SVG namespace; None for any other namespace."""
    if not isinstance(tag, str):
        return None
    if namespace:
        prefix = f"{{{namespace}}}"
        return tag[len(prefix) :] if tag.startswith(prefix) else None
    return None if tag.startswith("{") else tag


def _attribute_allowed(element: str, attribute: str, value: str) -> bool:
    if attribute in SVG_HREF_ATTRIBUTES:
        return element in SVG_ELEMENTS_WITH_HREF and _is_internal(value)
    if attribute not in SVG_ATTRIBUTES:
        return False  # every on* handler, and anything not known to be presentational
    if _EXTERNAL_URL.search(value) or _SCRIPTISH.search(value):
        return False
    # CSS escapes (u\72l) and comments (u/**/rl, java/**/script:) could hide the above from
    # the checks; no presentational value needs either.
    return "\\" not in value and "/*" not in value


def _is_internal(href: str) -> bool:
    return bool(_INTERNAL_HREF.fullmatch(href.strip()))


def _keep_tail(parent: ET.Element, tail: str | None) -> None:
    if not tail:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail


# ---- Colour ---------------------------------------------------------------------------------

HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
LIGHT_TEXT, DARK_TEXT = "#ffffff", "#17212e"  # white, and the app's ink colour


def relative_luminance(hex_color: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour written #rrggbb."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_color_on(background: str) -> str:
    """White or ink, whichever reads better on `background`."""
    if contrast_ratio(LIGHT_TEXT, background) >= contrast_ratio(DARK_TEXT, background):
        return LIGHT_TEXT
    return DARK_TEXT


# ---- A logo for documents that cannot draw SVG ------------------------------------------------


def logo_bitmap(data: bytes, content_type: str, *, fit: tuple[int, int]) -> bytes | None:
    """The logo as PNG or JPEG bytes for a format that takes only bitmaps (a PowerPoint
    picture): a bitmap as stored; an SVG drawn by CairoSVG to fit `fit` (width, height) in
    pixels, its proportions kept. None when the SVG cannot be drawn (the caller then shows the
    workspace's name alone), which a stored, sanitized logo should never be."""
    if content_type in (PNG, JPEG):
        return data
    if content_type != SVG:
        return None
    try:
        # Only the slide deck needs it (the PDF and the pages draw SVG themselves); without
        # Debian's libcairo2 the import fails, and the deck shows the name alone.
        import cairosvg

        # A small first drawing gives the proportions, whatever units the SVG sizes itself in;
        # the second fills the box. CairoSVG fetches nothing outside the file (unsafe=False).
        probe = cairosvg.svg2png(bytestring=data, output_width=64)
        with Image.open(BytesIO(probe)) as image:
            width, height = image.size
        scale = min(fit[0] / width, fit[1] / height)
        return cairosvg.svg2png(bytestring=data, output_width=max(round(width * scale), 1))
    except Exception:  # a drawing library raises many kinds on a file it cannot draw
        logger.warning("An SVG logo could not be drawn as a bitmap", exc_info=True)
        return None
