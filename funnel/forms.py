"""The funnel's forms: a quarter's figures, a CSV of them, the workspace's thresholds and the
revenue waterfall planner's inputs."""

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms

from clients.models import Client
from funnel.crm.dates import FORMATS
from funnel.crm.derive import FIGURE_VALUES as DERIVED_FIGURES
from funnel.crm.fields import DEALS, KIND_NAMES, LEADS
from funnel.crm.mapping import Mapping, check_mapping
from funnel.crm.reader import CrmFileError, open_crm_csv
from funnel.health import (
    DEFAULT_THRESHOLDS,
    GROWTH_BOUNDS,
    HANDOFF_METRICS,
    THRESHOLD_LABELS,
    Threshold,
)
from funnel.kpis import DAYS as DAYS_UNIT
from funnel.kpis import (
    DAYS_FIELDS,
    DEFAULT_DISCOUNT_RATE,
    FIGURE_FIELDS,
    FIGURE_LABELS,
    GROWTH,
    KPI_UNITS,
    LIFETIME_FIELDS,
    MAX_DISCOUNT_RATE,
    MONEY_FIELDS,
    PERCENT,
    REVENUE_FIELDS,
    SHARE_FIELDS,
    SIGN_FIELDS,
    SPEND_FIELDS,
    WHOLE_NUMBER_FIELDS,
    YEARS_FIELDS,
    Figures,
    problems,
)
from funnel.models import FunnelFigures
from lib.forms import CsvUploadForm, csv_file_field
from lib.maturity import HANDOFF_NAMES
from lib.quarters import Quarter, quarter_choices

# ---- Funnel figures ----------------------------------------------------------------------


# The figures grouped as a marketing ops person finds them: in the form's fieldsets and in
# the rows of the funnel page.
FIGURE_GROUPS = (
    ("Audience and content", ("impressions", "engaged_leads", "content_downloads")),
    (
        "Email",
        ("emails_sent", "emails_opened", "emails_clicked", "hard_bounces", "soft_bounces"),
    ),
    ("Funnel stages", ("inquiries", "mqls", "sals", "sqls", "won_deals")),
    ("Revenue", REVENUE_FIELDS),
    ("Velocity", DAYS_FIELDS),
    ("Spend and returns", SPEND_FIELDS + LIFETIME_FIELDS),
    ("Lead quality and movement", SIGN_FIELDS),
)
FIGURE_GROUP_HELP = {
    "Audience and content": "Who you reached and who engaged with your content this quarter.",
    "Email": "Nurture and campaign emails, not one-to-one sales emails.",
    "Funnel stages": "How many leads reached each stage this quarter.",
    "Revenue": "In one currency, the same every quarter. Amounts are rounded to cents.",
    "Velocity": "Average or median days a lead spends between two stages.",
    "Spend and returns": "What marketing cost this quarter, in the revenue’s currency, and "
    "what a new customer is worth over the years it stays. The spend of a stage and the "
    "content cost are parts of the total.",
    "Lead quality and movement": "Who the quarter’s new leads are and whether they move on: "
    "the signs of a dropped baton. A CRM import measures them from the lead records.",
}
FIGURE_HELP = {
    "impressions": "People in the target audience who saw an ad, a post or an email: reach, "
    "not clicks.",
    "engaged_leads": "Known contacts who interacted: visited, watched, attended or replied.",
    "content_downloads": "Gated content forms filled in: guides, reports, webinar sign-ups.",
    "emails_sent": "Every nurture and campaign email sent.",
    "emails_opened": "Unique opens; no more than the emails sent.",
    "emails_clicked": "Unique clicks; no more than the emails sent.",
    "hard_bounces": "Addresses that do not exist or refuse mail for good.",
    "soft_bounces": "Temporary failures: a full mailbox, a server down.",
    "inquiries": "Hand-raisers: demo and contact requests, trial sign-ups.",
    "mqls": "Leads that met the agreed fit and interest threshold and went to sales.",
    "sals": "MQLs that sales accepted and started working.",
    "sqls": "Accepted leads that sales turned into an opportunity in the CRM.",
    "won_deals": "Opportunities closed-won this quarter.",
    "pipeline_value": "Value of the opportunities created this quarter.",
    "closed_revenue": "Value of the deals won this quarter.",
    "average_deal_size": "Leave empty to use closed revenue ÷ won deals.",
    "days_inquiry_to_mql": "How long a lead takes to qualify.",
    "days_mql_to_sal": "How long sales takes to accept a lead: the follow-up speed.",
    "days_sal_to_sql": "How long an accepted lead takes to become an opportunity.",
    "days_sql_to_won": "The sales cycle, from opportunity to signature.",
    "marketing_spend": "Everything marketing spent this quarter: media, events, content, "
    "tools, agencies and the team.",
    "engage_spend": "The part spent reaching and engaging prospects: ads, events, sponsored "
    "and social content.",
    "content_cost": "The part spent producing content: writing, design, video, translations.",
    "customer_margin_per_year": "What a typical new customer brings in a year, less the cost "
    "of serving it.",
    "customer_lifetime_years": "How long a typical customer stays, like 4 or 5.5; with the "
    "margin, it gives the lifetime value.",
    "icp_fit_share": "Of the new leads checked against your ideal customer profile, the share "
    "that fits it, like 62.5.",
    "opt_out_share": "Of the new leads, the share that unsubscribed or opted out of email.",
    "stalled_mqls": "The quarter’s MQLs still waiting, a month on, for sales to accept or "
    "move them.",
    "follow_up_48h_share": "Of the leads sales accepted, the share it first called or wrote "
    "to within 48 hours of accepting them.",
}
COUNT, MONEY, DAYS, YEARS, SHARE = "count", "money", "days", "years", "share"
# The largest figure each kind accepts: within the database columns, and well beyond any
# real quarter, so a larger one is a typing slip (or 1e30) rather than a fact.
FIGURE_LIMITS = {
    COUNT: Decimal(2_000_000_000),
    MONEY: Decimal(999_999_999_999),
    DAYS: Decimal(3650),
    YEARS: Decimal(100),
    SHARE: Decimal(100),
}
FIGURE_STEPS = {
    MONEY: Decimal("0.01"),
    DAYS: Decimal("0.1"),
    YEARS: Decimal("0.1"),
    SHARE: Decimal("0.1"),
}
NOT_A_NUMBER = {
    COUNT: "Enter a whole number, like 1200.",
    MONEY: "Enter an amount, like 250000 or 250,000.50.",
    DAYS: "Enter a number of days, like 12 or 12.5.",
    YEARS: "Enter a number of years, like 4 or 5.5.",
    SHARE: "Enter a percentage, like 62.5 (for 62.5%).",
}
# 1,200 and 1 200 (with a thin or non-breaking space too), as spreadsheets format numbers.
_THOUSANDS = re.compile(r"^\d{1,3}(?:([,\s\u00a0\u202f])\d{3})(?:\1\d{3})*(?:\.\d+)?$")


def figure_kind(name: str) -> str:
    if name in WHOLE_NUMBER_FIELDS:
        return COUNT
    if name in SHARE_FIELDS:
        return SHARE
    if name in MONEY_FIELDS:
        return MONEY
    return YEARS if name in YEARS_FIELDS else DAYS


def read_figure(kind: str, text: str) -> int | Decimal | None:
    """A typed figure as a number (None when empty); ValueError with a message a person can act
    on otherwise. The figures form reads every figure with it, and the CSV import reads each
    cell through that form."""
    text = (text or "").strip()
    if kind == MONEY:
        text = text.removeprefix("$").removeprefix("€").removeprefix("£").strip()
    if kind == SHARE:
        text = text.removesuffix("%").strip()
    if not text:
        return None
    if _THOUSANDS.match(text):
        text = re.sub(r"[,\s\u00a0\u202f]", "", text)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(NOT_A_NUMBER[kind]) from None
    if not number.is_finite():
        raise ValueError(NOT_A_NUMBER[kind])
    if number < 0:
        raise ValueError("This cannot be negative: enter 0 or more, or leave it empty.")
    if kind == SHARE and number > FIGURE_LIMITS[SHARE]:
        raise ValueError("A share is at most 100%.")
    if number > FIGURE_LIMITS[kind]:
        raise ValueError(f"That is more than {FIGURE_LIMITS[kind]:,.0f}; check the figure.")
    if kind == COUNT:
        if number != number.to_integral_value():
            raise ValueError("A count is a whole number: no decimals.")
        return int(number)
    return number.quantize(FIGURE_STEPS[kind], rounding=ROUND_HALF_UP)


def figure_text(value: int | Decimal | None) -> str:
    """A stored figure as the form shows it: 250000, not 250000.00."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    return str(value)


class FigureField(forms.Field):
    """One optional funnel figure: a count, an amount of money or a number of days. A text
    input, so that whatever is typed reaches `read_figure` and gets its message."""

    def __init__(self, *, kind: str, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric" if kind == COUNT else "decimal", "size": 14}
            ),
        )
        super().__init__(**kwargs)
        self.kind = kind

    def to_python(self, value):
        try:
            return read_figure(self.kind, value if isinstance(value, str) else str(value or ""))
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def prepare_value(self, value):
        return figure_text(value) if isinstance(value, int | Decimal) else value


class FunnelValuesForm(forms.Form):
    """A quarter's funnel figures as the figures form and the CSV import check them: every
    figure optional, never negative, whole numbers for counts, nothing impossible (more emails
    opened than sent). What is allowed but odd (more MQLs than inquiries) is left to
    `funnel.kpis.flags`, shown after saving."""

    def __init__(self, *args, period: Quarter | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period
        for name in FIGURE_FIELDS:
            self.fields[name] = FigureField(
                kind=figure_kind(name), label=FIGURE_LABELS[name], help_text=FIGURE_HELP[name]
            )

    def clean(self):
        cleaned = super().clean()
        period = self.period or Quarter(2000, 1)  # the checks do not depend on the quarter
        for name, message in problems(self.figures_of(period)).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def figures_of(self, period: Quarter) -> Figures:
        values = {name: self.cleaned_data.get(name) for name in FIGURE_FIELDS}
        return Figures.from_mapping(period.year, period.number, values)

    @property
    def values(self) -> dict[str, int | Decimal | None]:
        return {name: self.cleaned_data[name] for name in FIGURE_FIELDS}


class FunnelFiguresForm(FunnelValuesForm):
    """A client's figures for one quarter, entered or edited on the figures page."""

    quarter = forms.ChoiceField(
        label="Quarter",
        help_text="The quarter these figures describe; usually one that has ended.",
        error_messages={"invalid_choice": "Choose a quarter from the list, like 2026-Q3."},
    )

    def __init__(self, *args, client: Client, today: date, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.instance = instance
        self.existing = None  # the figures already entered for the chosen quarter, if any
        choices = quarter_choices(today)
        if instance is not None and str(instance.period) not in dict(choices):
            choices.append((str(instance.period), str(instance.period)))
        self.fields["quarter"].choices = choices
        if instance is not None:
            self.initial["quarter"] = str(instance.period)
            self.initial.update({name: getattr(instance, name) for name in FIGURE_FIELDS})
        else:
            self.initial["quarter"] = str(self._first_free(Quarter.of(today)))
        self.order_fields(["quarter", *FIGURE_FIELDS])

    def _first_free(self, current: Quarter) -> Quarter:
        """The quarter figures are most likely entered for: the one just ended, unless it has
        figures already; then the current one, then the next."""
        taken = {
            Quarter(*pair) for pair in self.client.funnel_figures.values_list("year", "quarter")
        }
        candidates = [current.previous(), current, current.next()]
        return next((q for q in candidates if q not in taken), candidates[0])

    def clean_quarter(self) -> Quarter:
        period = Quarter.parse(self.cleaned_data["quarter"])
        self.period = period
        taken = self.client.funnel_figures.filter(year=period.year, quarter=period.number)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        self.existing = taken.first()
        if self.existing is not None:
            raise forms.ValidationError(
                f"{self.client.name} already has figures for {period}: edit them instead."
            )
        return period

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) is not None for name in FIGURE_FIELDS) and not any(
            name in self.errors for name in FIGURE_FIELDS
        ):
            raise forms.ValidationError("Enter at least one figure; the others may stay empty.")
        return cleaned

    @property
    def groups(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(legend, help, bound fields) per fieldset."""
        return [
            (legend, FIGURE_GROUP_HELP[legend], [self[name] for name in names])
            for legend, names in FIGURE_GROUPS
        ]

    def save(self) -> FunnelFigures:
        figures = self.instance or FunnelFigures(client=self.client)
        period = self.cleaned_data["quarter"]
        figures.year, figures.quarter = period.year, period.number
        for name, value in self.values.items():
            # A figure an import derived, changed here: the next import keeps the correction.
            derived = figures.crm_import_id and name in DERIVED_FIGURES
            if derived and getattr(figures, name) != value and name not in figures.corrected_fields:
                figures.corrected_fields = [*figures.corrected_fields, name]
            setattr(figures, name, value)
        figures.save()
        return figures


class FunnelImportForm(CsvUploadForm):
    file = csv_file_field(
        "A quarter column (like 2026-Q3) and a column per figure. Save spreadsheets as “CSV UTF-8”."
    )


# ---- CRM exports ------------------------------------------------------------------------

CRM_MAX_BYTES = 50 * 1024 * 1024
CRM_TOO_LARGE = (
    f"The file is larger than {CRM_MAX_BYTES // (1024 * 1024)} MB; export fewer quarters at a "
    "time and import each file."
)
KIND_WORDS = {LEADS: "Leads", DEALS: "Deals"}


def _crm_export(upload) -> object:
    """An uploaded export whose header can be read; every reason it cannot, otherwise."""
    if upload.size > CRM_MAX_BYTES:
        raise forms.ValidationError(CRM_TOO_LARGE)
    try:
        open_crm_csv(upload.open("rb"))
    except CrmFileError as error:
        raise forms.ValidationError(error.problems) from None
    finally:
        upload.seek(0)
    return upload


class CrmUploadForm(forms.Form):
    lead_file = forms.FileField(
        label="Lead or contact export",
        help_text="The CSV your CRM exports of its leads or contacts, with their stage dates.",
    )
    deal_file = forms.FileField(
        label="Deal or opportunity export (optional)",
        required=False,
        help_text="With it, Relay measures won deals, revenue and pipeline from the deals.",
    )
    keep_raw = forms.BooleanField(
        label="Keep the raw files with the import",
        required=False,
        help_text="Off: the files are deleted once the figures are derived.",
    )

    def __init__(self, *args, can_keep_raw: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_keep_raw:  # keeping a client's raw records is the workspace owner's call
            del self.fields["keep_raw"]

    def clean_lead_file(self):
        return _crm_export(self.cleaned_data["lead_file"])

    def clean_deal_file(self):
        upload = self.cleaned_data.get("deal_file")
        return _crm_export(upload) if upload else None


def _column_choices(header) -> list[tuple[str, str]]:
    return [("", "— not in the file —"), *((name, name) for name in header if name)]


class CrmMappingForm(forms.Form):
    """Which column holds each field, per export (funnel.crm_imports.Proposal), how the dates
    are written, and after how many days a lead that went no further has stalled."""

    date_format = forms.ChoiceField(
        label="The dates are written as",
        required=False,
        error_messages={"invalid_choice": "Choose a date format from the list."},
    )
    stall_days = forms.IntegerField(
        label="A lead has stalled after (days without moving on)",
        min_value=1,
        max_value=365,
        error_messages={
            "invalid": "Enter a whole number of days, like 30.",
            "min_value": "Enter at least 1 day.",
            "max_value": "Enter at most 365 days.",
            "required": "Enter a number of days, like 30.",
        },
    )

    def __init__(self, *args, proposals: list, date_format: str, stall_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = proposals
        lead = proposals[0]
        detected = lead.dates.chosen
        first = f"As detected: {detected.words}" if detected else "Choose how the dates are read"
        self.fields["date_format"].choices = [("", first), *((f.key, f.words) for f in FORMATS)]
        self.initial["date_format"] = date_format
        self.initial["stall_days"] = stall_days
        for proposal in proposals:
            positions = proposal.mapping.positions(proposal.header)
            for spec in proposal.fields:
                name = f"{proposal.kind}-{spec.key}"
                self.fields[name] = forms.ChoiceField(
                    label=spec.label,
                    required=False,
                    choices=_column_choices(proposal.header),
                    error_messages={"invalid_choice": "Choose one of the file’s columns."},
                )
                if spec.key in positions:
                    self.initial[name] = proposal.header[positions[spec.key]]

    @property
    def groups(self) -> list:
        """(proposal, its export's words, bound fields) per export."""
        return [
            (
                proposal,
                KIND_NAMES[proposal.kind],
                [self[f"{proposal.kind}-{spec.key}"] for spec in proposal.fields],
            )
            for proposal in self.proposals
        ]

    def clean(self):
        cleaned = super().clean()
        self.mappings: dict[str, Mapping] = {}
        for proposal in self.proposals:
            columns = {
                spec.key: cleaned[f"{proposal.kind}-{spec.key}"]
                for spec in proposal.fields
                if cleaned.get(f"{proposal.kind}-{spec.key}")
            }
            crm = proposal.layout.crm if proposal.layout else None
            mapping = Mapping(proposal.kind, columns, crm)
            for problem in check_mapping(mapping, proposal.header):
                self.add_error(None, f"{KIND_WORDS[proposal.kind]}: {problem}")
            self.mappings[proposal.kind] = mapping
        if not cleaned.get("date_format") and "date_format" not in self.errors:
            for proposal in self.proposals:
                if proposal.dates.problem:
                    self.add_error("date_format", proposal.dates.problem)
        return cleaned


def percent_text(fraction: float | None) -> str:
    """A fraction as a percentage to type: 0.125 -> "12.5", 0.4 -> "40"."""
    if fraction is None:
        return ""
    return f"{Decimal(str(round(fraction * 100, 2))).normalize():f}"


def _small_number_field(
    label: str, *, low: int, high: int, places: int, messages: dict, required: bool = True
) -> forms.DecimalField:
    """A short typed number of the settings forms, with `messages` for each way it is wrong
    (invalid, min_value, max_value, required) and the decimals it may have."""
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=low,
        max_value=high,
        decimal_places=places,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 7}),
        error_messages={
            **messages,
            "max_decimal_places": f"Use at most {places} decimal{'s' if places > 1 else ''}.",
        },
    )


def _percent_field(label: str, *, required: bool, max_value: int) -> forms.DecimalField:
    messages = {
        "invalid": "Enter a percentage, like 25 or 12.5.",
        "min_value": "A percentage cannot be negative.",
        "max_value": "A percentage is at most %(limit_value)s.",
        "required": "Enter a percentage.",
    }
    return _small_number_field(
        label, low=0, high=max_value, places=2, messages=messages, required=required
    )


def _days_field(label: str) -> forms.DecimalField:
    messages = {
        "invalid": "Enter a number of days, like 2 or 2.5.",
        "min_value": "A number of days cannot be negative.",
        "max_value": "Enter at most %(limit_value)s days.",
        "required": "Enter a number of days.",
    }
    return _small_number_field(label, low=0, high=365, places=1, messages=messages)


def _growth_field(label: str) -> forms.DecimalField:
    low, high = (round(bound * 100) for bound in GROWTH_BOUNDS)
    messages = {
        "invalid": "Enter a change in percent, like -10 for a fall or 5 for a rise.",
        "min_value": "A fall is at most 100%%: enter %(limit_value)s or more.",
        "max_value": "Enter a rise of at most %(limit_value)s%%.",
        "required": "Enter a change in percent.",
    }
    return _small_number_field(label, low=low, high=high, places=2, messages=messages)


def _threshold_field(metric: str, label: str) -> forms.DecimalField:
    unit = KPI_UNITS[metric]
    if unit == PERCENT:
        return _percent_field(label, required=True, max_value=100)
    if unit == GROWTH:
        return _growth_field(label)
    return _days_field(label)


def _threshold_unit(metric: str) -> str:
    return " days" if KPI_UNITS[metric] == DAYS_UNIT else "%"


class FunnelThresholdsForm(forms.Form):
    """A workspace's thresholds for judging each handoff's observed health: per metric, where it
    turns poor and where it becomes healthy; and the discount rate of the return on marketing
    spend. Percentages are typed as percentages (25 for 25%), days as days; `overrides` keeps
    only the metrics that differ from the defaults."""

    def __init__(
        self,
        *args,
        current: dict[str, Threshold],
        discount_rate: float = DEFAULT_DISCOUNT_RATE,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["discount_rate"] = _percent_field(
            "Discount rate, in percent a year",
            required=True,
            max_value=round(MAX_DISCOUNT_RATE * 100),
        )
        self.fields["discount_rate"].help_text = (
            "The return on marketing spend counts a customer’s future margin at this rate: "
            "money a year away is worth less than money today."
        )
        self.initial["discount_rate"] = percent_text(discount_rate)
        self.rows = []
        for metric, default in DEFAULT_THRESHOLDS.items():
            higher = default.higher_is_better
            names = (f"{metric}-poor", f"{metric}-healthy")
            words = ("at or below", "from") if higher else ("at or above", "at or below")
            for name, bound, said in zip(names, ("poor", "healthy"), words, strict=True):
                label = f"{THRESHOLD_LABELS[metric]}: {bound} {said}"
                self.fields[name] = _threshold_field(metric, label)
                self.initial[name] = self._shown(metric, getattr(current[metric], bound))
            unit = _threshold_unit(metric)
            self.rows.append(
                {
                    "metric": metric,
                    "label": THRESHOLD_LABELS[metric],
                    "handoff": next(
                        HANDOFF_NAMES[key]
                        for key, metrics in HANDOFF_METRICS.items()
                        if metric in metrics
                    ),
                    "higher_is_better": higher,
                    "unit": unit,
                    "bounds": [
                        (self[name], bound, said)
                        for name, bound, said in zip(names, ("Poor", "Healthy"), words, strict=True)
                    ],
                    "default_poor": self._shown(metric, default.poor),
                    "default_healthy": self._shown(metric, default.healthy),
                }
            )

    @staticmethod
    def _shown(metric: str, value: float) -> str:
        if KPI_UNITS[metric] in (PERCENT, GROWTH):
            return percent_text(value)
        return f"{Decimal(str(value)).normalize():f}"

    def clean(self):
        cleaned = super().clean()
        for metric, default in DEFAULT_THRESHOLDS.items():
            poor, healthy = cleaned.get(f"{metric}-poor"), cleaned.get(f"{metric}-healthy")
            if poor is None or healthy is None:
                continue
            unit = _threshold_unit(metric)
            if default.higher_is_better and poor > healthy:
                self.add_error(
                    f"{metric}-healthy",
                    f"Higher is better here, so healthy must be at least poor ({poor}{unit}).",
                )
            elif not default.higher_is_better and poor < healthy:
                self.add_error(
                    f"{metric}-healthy",
                    f"Lower is better here, so healthy must be at most poor ({poor}{unit}).",
                )
        return cleaned

    @property
    def discount_rate(self) -> Decimal:
        """The discount rate as a fraction: 10 (percent) is 0.1."""
        return self.cleaned_data["discount_rate"] / 100

    def overrides(self) -> dict[str, dict[str, float]]:
        """{metric: {"poor": x, "healthy": y}} in the KPI's own unit (fractions for percents),
        for the metrics whose thresholds differ from the defaults."""
        changed = {}
        for metric, default in DEFAULT_THRESHOLDS.items():
            scale = 100 if KPI_UNITS[metric] in (PERCENT, GROWTH) else 1
            poor, healthy = (
                float(self.cleaned_data[f"{metric}-{bound}"] / scale)
                for bound in ("poor", "healthy")
            )
            if (poor, healthy) != (default.poor, default.healthy):
                changed[metric] = {"poor": poor, "healthy": healthy}
        return changed


# ---- The revenue waterfall planner -------------------------------------------------------


WATERFALL_RATE_LABELS = {
    "inquiry_to_mql": "Inquiry → MQL",
    "mql_to_sal": "MQL → SAL",
    "sal_to_sql": "SAL → SQL",
    "win_rate": "Win rate (SQL → won)",
}


class WaterfallForm(forms.Form):
    """The planner's query string: a revenue target for a quarter, and the conversion rates
    (as percentages) and deal size to work back with. The view fills a rate or deal size left
    empty with the one observed in the client's latest figures."""

    target_revenue = FigureField(
        kind=MONEY,
        required=True,
        label="Revenue target",
        error_messages={"required": "Enter the revenue to reach, like 500000."},
    )
    quarter = forms.ChoiceField(
        label="For the quarter",
        error_messages={"invalid_choice": "Choose a quarter from the list, like 2027-Q1."},
    )
    deal_size = FigureField(kind=MONEY, label="Average deal size")

    RATE_MAX = 1000  # above 100% is possible when leads of earlier quarters move on

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = quarter_choices(today)
        self.fields["quarter"].initial = str(Quarter.of(today).next())
        for key, label in WATERFALL_RATE_LABELS.items():
            self.fields[key] = _percent_field(label, required=False, max_value=self.RATE_MAX)
        self.order_fields(["target_revenue", "quarter", *WATERFALL_RATE_LABELS, "deal_size"])

    def clean_target_revenue(self) -> Decimal:
        target = self.cleaned_data["target_revenue"]
        if target <= 0:
            raise forms.ValidationError("Enter a target above 0.")
        return target

    def clean_quarter(self) -> Quarter:
        return Quarter.parse(self.cleaned_data["quarter"])

    def clean(self):
        cleaned = super().clean()
        for name in (*WATERFALL_RATE_LABELS, "deal_size"):
            if cleaned.get(name) == 0:
                self.add_error(
                    name, "Zero reaches no target: enter more than 0, or leave it empty."
                )
        return cleaned

    @property
    def rate_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in WATERFALL_RATE_LABELS]

    def rates(self) -> dict[str, float | None]:
        """The conversion rates as fractions (None where empty)."""
        return {
            key: float(self.cleaned_data[key]) / 100 if self.cleaned_data.get(key) else None
            for key in WATERFALL_RATE_LABELS
        }
