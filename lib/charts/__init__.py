"""Chart geometry: the radar of the dimensions, the relay of the three handoffs, the trend.

Pure code, like scoring: plain values in, frozen dataclasses out; no ORM, no request. The SVG
partials in templates/charts/ only loop over what these functions return, so the results page,
the funnel page and the WeasyPrint PDF draw exactly the same picture. `svg` holds what the
three charts share; each chart is a module of its own.

Both renderers must agree, so the geometry keeps to what WeasyPrint draws: basic shapes and
<text> with an explicit font and a computed baseline (WeasyPrint ignores `dominant-baseline`);
no CSS, no transforms. WeasyPrint also clips text at the edge of the viewBox, so every label is
measured with `text_width` (an upper bound for DejaVu Sans, the font the PDF uses and about the
widest of the usual sans-serif fonts) and wrapped or moved to stay inside.
"""

from lib.charts.radar import RadarAxis, RadarChart, radar_chart
from lib.charts.relay import RelayChart, RelayHandoff, relay_chart
from lib.charts.trend import TrendChart, TrendSeries, trend_chart

__all__ = [
    "RadarAxis",
    "RadarChart",
    "RelayChart",
    "RelayHandoff",
    "TrendChart",
    "TrendSeries",
    "radar_chart",
    "relay_chart",
    "trend_chart",
]
