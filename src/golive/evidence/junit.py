"""junit.xml completed from the run's records (pytest's junitxml wrote the first draft).

- testcases are named "Feature: Scenario [examples]" (other tests keep their node id), with
  the feature as class name; a test pytest never reported is added: interrupted as an
  error, never started as skipped with the reason;
- a "golive gates" suite holds one testcase per gate: a critical gate that FAILED or has
  NO DATA is a failure, a non-critical one that did not pass is skipped with its reason;
- a "golive verdict" suite holds the testcase "verdict", a failure unless the verdict is GO;
- every suite carries the run id, the verdict and the release as properties.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

from golive.evidence.ciformats import CiRun, gate_blocks, gate_message
from golive.evidence.fsutil import atomic_write
from golive.evidence.results import TestRecord
from golive.evidence.verdict import (
    ERROR,
    FAILED,
    INTERRUPTED,
    NOT_RUN,
    SKIPPED,
    XFAILED,
    GateStatus,
)

READINESS = "golive readiness"
GATES = "golive gates"
VERDICT = "golive verdict"
NODEID = "golive.nodeid"
OUTCOMES = ("failure", "error", "skipped")


def _address(nodeid: str) -> tuple[str, str]:
    """(classname, name) as pytest's junitxml writes them for a node id."""
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    return ".".join(names[:-1]), names[-1]


def _properties(parent: ET.Element, values: dict[str, str]) -> None:
    props = parent.find("properties")
    if props is None:
        props = ET.Element("properties")
        parent.insert(0, props)
    for old in [p for p in props.findall("property") if p.get("name") in values]:
        props.remove(old)
    for name, value in values.items():
        ET.SubElement(props, "property", name=name, value=value)


def _outcome(tc: ET.Element, tag: str, message: str, kind: str, text: str = "") -> None:
    for old in [c for c in tc if c.tag in OUTCOMES]:
        tc.remove(old)
    element = ET.Element(tag, type=kind, message=message)
    element.text = text or None
    tc.insert(1 if tc.find("properties") is not None else 0, element)  # before system-out


def _testcase(record: TestRecord, existing: ET.Element | None) -> ET.Element:
    tc = existing if existing is not None else ET.Element("testcase")
    classname = record.feature if record.kind == "scenario" else _address(record.nodeid)[0]
    tc.set("classname", classname or "golive")
    tc.set("name", record.display_name)
    tc.set("time", f"{record.duration_s:.3f}")
    _properties(tc, {NODEID: record.nodeid})
    has_outcome = any(c.tag in OUTCOMES for c in tc)
    if record.outcome == INTERRUPTED:
        _outcome(tc, "error", f"interrupted: {record.message}", "golive.interrupted")
    elif record.outcome == NOT_RUN:
        message = f"not run: {record.message or 'never started'}"
        _outcome(tc, "skipped", message, "golive.not-run")
    elif existing is None or not has_outcome:
        tag = {FAILED: "failure", ERROR: "error", SKIPPED: "skipped", XFAILED: "skipped"}
        if record.outcome in tag:
            _outcome(tc, tag[record.outcome], record.message, "golive", record.detail)
    return tc


def _count(suite: ET.Element) -> tuple[int, int, int, int]:
    cases = suite.findall("testcase")
    tallies = [sum(1 for tc in cases if tc.find(tag) is not None) for tag in OUTCOMES]
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(tallies[0]))
    suite.set("errors", str(tallies[1]))
    suite.set("skipped", str(tallies[2]))
    return len(cases), tallies[0], tallies[1], tallies[2]


def _readiness(suite: ET.Element, run: CiRun) -> None:
    cases = suite.findall("testcase")
    by_nodeid: dict[str, ET.Element] = {}
    for tc in cases:
        for prop in tc.findall("properties/property"):
            if prop.get("name") == NODEID:
                by_nodeid[prop.get("value", "")] = tc
    by_address = {(tc.get("classname", ""), tc.get("name", "")): tc for tc in cases}
    for tc in cases:
        suite.remove(tc)
    for record in run.records:
        found = by_nodeid.pop(record.nodeid, None)
        if found is None:
            found = by_address.pop(_address(record.nodeid), None)
        suite.append(_testcase(record, found))
    used = set(map(id, suite.findall("testcase")))
    for tc in cases:  # anything pytest reported that golive does not know stays
        if id(tc) not in used:
            suite.append(tc)


def _gates(run: CiRun) -> ET.Element:
    suite = ET.Element("testsuite", name=GATES)
    for gate in run.gates:
        tc = ET.SubElement(suite, "testcase", classname="golive.gates", name=f"Gate: {gate.name}")
        tc.set("time", "0")
        _properties(
            tc,
            {
                "status": gate.status.value,
                "measured": gate.value if gate.value is not None else "no data",
                "target": gate.target or "",
                "critical": "yes" if gate.critical else "no",
            },
        )
        kind = "golive.gate." + gate.status.value.lower()
        if gate_blocks(gate):
            _outcome(tc, "failure", gate_message(gate), kind)
        elif gate.status is not GateStatus.PASS:
            _outcome(tc, "skipped", gate_message(gate), kind)
    return suite


def _verdict(run: CiRun) -> ET.Element:
    suite = ET.Element("testsuite", name=VERDICT)
    tc = ET.SubElement(suite, "testcase", classname="golive", name="verdict", time="0")
    reasons = "\n".join(f"- {r}" for r in run.verdict.reasons)
    if run.failed:
        kind = f"golive.verdict.{run.verdict.verdict.value}"
        _outcome(tc, "failure", run.verdict_message(), kind, reasons)
    else:
        ET.SubElement(tc, "system-out").text = reasons
    return suite


def complete(path: Path, run: CiRun) -> None:
    root = ET.parse(path).getroot()
    if root.tag == "testsuite":
        wrapper = ET.Element("testsuites")
        wrapper.append(root)
        root = wrapper
    for suite in root.findall("testsuite"):
        if suite.get("name") in (GATES, VERDICT):
            root.remove(suite)
    readiness = root.find("testsuite")
    if readiness is None:
        readiness = ET.SubElement(root, "testsuite")
    readiness.set("name", READINESS)
    _readiness(readiness, run)
    root.append(_gates(run))
    root.append(_verdict(run))
    props = {
        "golive.run_id": run.run_id,
        "golive.verdict": run.verdict.verdict.value,
        "golive.exit_code": str(run.verdict.exit_code),
        **{
            k if k.startswith("golive.") else f"golive.{k}": v
            for k, v in run.environment.items()
            if k != "run_id"
        },
    }
    totals = [0, 0, 0, 0]
    for suite in root.findall("testsuite"):
        _properties(suite, props)
        totals = [a + b for a, b in zip(totals, _count(suite), strict=True)]
    for name, value in zip(("tests", "failures", "errors", "skipped"), totals, strict=True):
        root.set(name, str(value))
    ET.indent(root, space="")
    atomic_write(path, ET.tostring(root, encoding="utf-8", xml_declaration=True))
