"""Running axe-core in a Playwright page, for the accessibility checks of every journey."""

BLOCKING_IMPACTS = {"serious", "critical"}

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


def assert_accessible(page, axe_js, where: str) -> None:
    """The page's real styles are loaded and axe finds no serious or critical violation."""
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
        print(f"Minor accessibility findings on {where}:\n{describe(minor)}")
    assert not blocking, (
        f"{len(blocking)} serious/critical accessibility violation(s) on {where}:\n"
        f"{describe(blocking)}"
    )
