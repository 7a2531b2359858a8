"""Server-rendered, accessible SVG bar charts: no JavaScript, no inline styles (CSP-safe).

Each chart carries a <title> and a <desc> (referenced by aria-labelledby) and keeps its numbers so
that the template `reports/_chart.html` prints them as a table beside the picture.
"""

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .rounding import rounded

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

LABEL_WIDTH = 170
BAR_AREA = 380
ROW_GAP = 8
BAR_HEIGHT = 14
TOP = 10
LEGEND_ROW = 20


@dataclass
class Chart:
    """A horizontal bar chart: one row per category, one bar (or stacked segment) per series."""

    slug: str
    title: str
    description: str
    categories: list
    series: list  # [(name, [values...])]; None is a missing value, drawn as nothing
    stacked: bool = False
    unit: str = ""
    rows: list = field(init=False)

    def __post_init__(self):
        self.rows = [
            (category, [values[i] for _name, values in self.series])
            for i, category in enumerate(self.categories)
        ]

    @property
    def series_names(self):
        return [name for name, _values in self.series]

    def _max(self):
        if self.stacked:
            totals = [sum(v or 0 for v in values) for _c, values in self.rows]
        else:
            totals = [v or 0 for _c, values in self.rows for v in values]
        return max(totals, default=0) or 1

    def svg(self):
        n_series = len(self.series)
        per_row = BAR_HEIGHT if self.stacked else BAR_HEIGHT * n_series
        row_height = per_row + ROW_GAP
        legend_top = TOP + row_height * len(self.rows) + 10
        height = legend_top + LEGEND_ROW * ((n_series + 2) // 3) + 6
        width = LABEL_WIDTH + BAR_AREA + 70
        scale = BAR_AREA / self._max()
        parts = []
        for r, (category, values) in enumerate(self.rows):
            y = TOP + r * row_height
            parts.append(format_html(
                '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>',
                LABEL_WIDTH - 6, y + per_row / 2 + 4, category,
            ))
            x = LABEL_WIDTH
            for s, value in enumerate(values):
                if value is None:
                    continue
                w = value * scale
                bar_y = y if self.stacked else y + s * BAR_HEIGHT
                parts.append(format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
                    f"{x:.1f}", bar_y, f"{w:.1f}", BAR_HEIGHT - 1, PALETTE[s % len(PALETTE)],
                    self.series[s][0], _fmt(value),
                ))
                if self.stacked:
                    x += w
                else:
                    parts.append(format_html(
                        '<text x="{}" y="{}" class="chart-value">{}{}</text>',
                        f"{LABEL_WIDTH + w + 4:.1f}", bar_y + BAR_HEIGHT - 3, _fmt(value), self.unit,
                    ))
            if self.stacked:
                parts.append(format_html(
                    '<text x="{}" y="{}" class="chart-value">{}</text>',
                    f"{x + 4:.1f}", y + BAR_HEIGHT - 3, _fmt(sum(v or 0 for v in values)),
                ))
        for s, name in enumerate(self.series_names):
            lx = 10 + (s % 3) * 200
            ly = legend_top + (s // 3) * LEGEND_ROW
            parts.append(format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>'
                '<text x="{}" y="{}" class="chart-legend">{}</text>',
                lx, ly, PALETTE[s % len(PALETTE)], lx + 16, ly + 10, name,
            ))
        return format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {w} {h}" '
            'width="{w}" height="{h}" aria-labelledby="{slug}-title {slug}-desc">'
            '<title id="{slug}-title">{title}</title><desc id="{slug}-desc">{desc}</desc>{body}</svg>',
            w=width, h=height, slug=self.slug, title=self.title, desc=self.description,
            body=mark_safe("".join(parts)),  # every part was built with format_html
        )

    def table_rows(self):
        return format_html_join(
            "", "<tr><th scope=\"row\">{}</th>{}</tr>",
            (
                (category, mark_safe("".join(
                    format_html("<td class=\"text-end\">{}</td>", "–" if v is None else _fmt(v))
                    for v in values
                )))
                for category, values in self.rows
            ),
        )


def _fmt(value):
    if isinstance(value, float):
        value = rounded(value, "rate")
        return number_format(value, max(-value.as_tuple().exponent, 0), use_l10n=True)
    return number_format(value, use_l10n=True)
