"""axe-core finds no serious or critical accessibility problem on the shopper's pages."""

import pytest

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; serialized_rollback puts the seeded
    # attribute catalogue and groups back after each test's flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BLOCKING_IMPACTS = {"serious", "critical"}

PAGES = [
    # (path, h1 that proves the right page was audited, logged in?)
    ("/", "A shop that gets to know you slowly", False),
    ("/privacy/", "Our privacy promise", False),
    ("/accounts/register/", "Create your account", False),
    ("/accounts/login/", "Log in", False),
    ("/me/", "What we know about you", True),
]

LOADED_STYLESHEETS_JS = """
() => Array.from(document.styleSheets)
    .filter(sheet => sheet.href && sheet.cssRules.length > 0)
    .map(sheet => sheet.href)
"""

RUN_AXE_JS = """
async () => {
    const results = await axe.run(document, {resultTypes: ["violations"]});
    return {
        rulesRun: results.passes.length + results.violations.length
            + results.incomplete.length + results.inapplicable.length,
        violations: results.violations.map(v => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            helpUrl: v.helpUrl,
            nodes: v.nodes.map(n => ({
                target: n.target.join(" "),
                html: n.html,
                summary: n.failureSummary,
            })),
        })),
    };
}
"""


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}")
            lines.append(f"       {node['html'][:200]}")
            for reason in (node["summary"] or "").splitlines():
                lines.append(f"       {reason}")
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("path", "heading", "logged_in"), PAGES, ids=[path for path, _, _ in PAGES]
)
def test_no_serious_accessibility_violations(
    axe_page, axe_js, live_server, request, password, log_in, path, heading, logged_in
):
    page = axe_page
    if logged_in:
        shopper = request.getfixturevalue("shopper")
        log_in(page, login=shopper.username, password=password)
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None and response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == heading
    # Colour contrast is only meaningful with the real styles applied.
    loaded = page.evaluate(LOADED_STYLESHEETS_JS)
    assert any("bootstrap" in href for href in loaded), f"Bootstrap did not load: {loaded}"
    assert any("site.css" in href for href in loaded), f"site.css did not load: {loaded}"

    page.add_script_tag(path=str(axe_js))
    results = page.evaluate(RUN_AXE_JS)
    assert results["rulesRun"] > 0, "axe did not run any rule"

    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    minor = [v for v in results["violations"] if v["impact"] not in BLOCKING_IMPACTS]
    if minor:
        print(f"Minor accessibility findings on {path}:\n{describe(minor)}")
    assert not blocking, (
        f"{len(blocking)} serious/critical accessibility violation(s) on {path}:\n"
        f"{describe(blocking)}"
    )
