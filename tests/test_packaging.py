"""What `pip install .` ships (.ci/check-install installs it and runs it far from the checkout;
this is the quick check that nothing is left out of pyproject.toml)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
TOP_LEVEL = (
    "gtm",
    "lib",
    "accounts",
    "bank",
    "clients",
    "funnel",
    "assessments",
    "workshops",
    "devtools",
)


def _packages_in_the_checkout() -> set[str]:
    return {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in TOP_LEVEL
        for init in (ROOT / top).rglob("__init__.py")
    }


def test_every_package_of_the_checkout_is_shipped():
    shipped = set(SETUPTOOLS["packages"])
    assert _packages_in_the_checkout() <= shipped
    assert shipped - _packages_in_the_checkout() == {"gtm.site.templates", "gtm.site.static"}


def test_the_templates_and_static_files_ship_inside_gtm():
    assert SETUPTOOLS["package-dir"] == {
        "gtm.site.templates": "templates",
        "gtm.site.static": "static",
    }
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    assert data["gtm.site.templates"] == data["gtm.site.static"] == ["**/*"]
    assert (ROOT / "bank" / "data" / "default_bank.json").exists() and data["bank"] == ["data/*"]


def test_every_library_the_code_imports_is_declared():
    declared = " ".join(PYPROJECT["project"]["dependencies"]).lower()
    for distribution in ("django", "weasyprint", "pillow", "django-htmx", "django-tasks", "segno"):
        assert distribution in declared, distribution
