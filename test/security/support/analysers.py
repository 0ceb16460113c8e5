"""
Runs parliament or statelint, as pinned in .venv-analysers, on the inputs the security
suite gives it on stdin, and prints every finding as JSON on stdout, each tied to the input
it was found in. Used by test/security/support/analysers.ts.

Through the libraries rather than their command lines because of what those print:
parliament's --directory mode files every finding without a location under the first
policy that had one (Policy.add_finding's shared default `location`), and statelint prints
text without the kind of problem (ProblemType) it found.

  analysers.py parliament < [{"name": …, "policy": {…}}, …]
      → [{"input": name, "check": issue, "severity", "detail", "statement": Sid or index or null,
          "actions": the actions a community auditor names, lower case, or null}, …]
  analysers.py statelint  < [{"name": …, "definition": {…}}, …]
      → [{"input": name, "check": ProblemType name, "detail": the problem as statelint words it}, …]
"""
import json
import sys
from pathlib import Path


def parliament_findings(inputs):
    import parliament
    from parliament import analyze_policy_string, enhance_finding, override_config

    # As `parliament --include-community-auditors` does: their findings' titles and severities.
    override_config(Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml")
    findings = []
    for item in inputs:
        policy = analyze_policy_string(json.dumps(item["policy"], indent=2), item["name"], include_community_auditors=True)
        # A statement's findings are its own; the rest (policy-wide checks, community auditors) are the policy's.
        located = [(finding, None) for finding in policy._findings]
        for index, statement in enumerate(policy.statements):
            located += [(finding, statement.sid or str(index)) for finding in statement.findings]
        for finding, statement in located:
            enhance_finding(finding)
            actions = finding.location.get("actions") if isinstance(finding.location, dict) else None
            findings.append(
                {
                    "input": item["name"],
                    "check": finding.issue,
                    "severity": finding.severity,
                    "detail": finding.detail if isinstance(finding.detail, str) else json.dumps(finding.detail, default=str),
                    "statement": statement,
                    "actions": sorted(actions) if actions else None,
                }
            )
    return findings


def statelint_findings(inputs):
    from statelint.config import Config
    from statelint.nodes.factory.factory import StateFactory
    from statelint.nodes.state_machine import StateMachine

    findings = []
    for item in inputs:
        for problem in StateMachine(StateFactory(), item["definition"], Config()).validate():
            findings.append({"input": item["name"], "check": problem.type.name, "detail": problem.description})
    return findings


ANALYSERS = {"parliament": parliament_findings, "statelint": statelint_findings}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ANALYSERS:
        sys.exit(f"usage: analysers.py {'|'.join(ANALYSERS)} < inputs.json")
    json.dump(ANALYSERS[sys.argv[1]](json.load(sys.stdin)), sys.stdout)
