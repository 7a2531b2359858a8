"""Helpers of the browser tests: axe-core, page weight, filling the registration form."""

import gzip
from pathlib import Path

from pilots.models import Province

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PHONES = {"KH": "012 345 678", "TH": "081 234 5678", "VN": "091 234 56 78"}
PROVINCES = {"KH": "KH-12", "TH": "TH-10", "VN": "VN-HN"}


def axe_violations(page) -> list[dict]:
    """Run axe-core's WCAG 2.1 A/AA rules on the page; the violations, in a readable form.

    The script is injected with page.evaluate (the site's CSP refuses script tags of other origins).
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
            }));
        }""",
        WCAG_21_AA,
    )


def assert_accessible(page, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core found WCAG 2.1 A/AA violations on {what}: {violations}"


def fill_registration(page, *, country="KH", email="sok.chantha@example.org", family="សុខ", given="ចាន់ថា"):
    """Fill in the registration form as a teacher would (the consent box included)."""
    page.fill("#id_family_name", family)
    page.fill("#id_given_name", given)
    page.check("input[name=gender][value=female]")
    page.fill("#id_email", email)
    page.fill("#id_phone", PHONES[country])
    page.fill("#id_school", "វិទ្យាល័យព្រះស៊ីសុវត្ថិ")
    page.select_option("#id_school_level", "upper_secondary")
    page.select_option("#id_province", str(Province.objects.get(code=PROVINCES[country]).pk))
    page.fill("#id_years_experience", "7")
    page.check("#id_consent")


class WeightRecorder:
    """Records every response of a page load, with its size compressed as a server would send it.

    Text (HTML, CSS, JS, SVG) is measured gzip-compressed (level 9, what WhiteNoise writes for static
    files); fonts (woff2) and images are already compressed and are counted as they are.
    """

    TEXT = ("text/", "application/javascript", "application/json", "image/svg+xml")

    def __init__(self, page):
        self.responses = []
        page.on("response", lambda response: self.responses.append(response))

    def sizes(self) -> dict[str, tuple[int, int]]:
        """url -> (raw bytes, bytes over the wire compressed)."""
        result = {}
        for response in self.responses:
            if response.status >= 300 or response.request.method != "GET":
                continue
            body = response.body()
            content_type = response.headers.get("content-type", "")
            wire = len(gzip.compress(body, 9)) if content_type.startswith(self.TEXT) else len(body)
            result[response.url] = (len(body), wire)
        return result
