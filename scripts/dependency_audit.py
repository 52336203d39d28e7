"""Audit the locked dependencies for known vulnerabilities with pip-audit (run by `make security`).

Fails when pip-audit reports a vulnerability, or when some packages could be looked up and others
not. When *no* package can be looked up (no vulnerability database reachable from this machine:
the sandbox's PyPI mirror does not serve the per-release JSON that pip-audit reads), it says so
loudly and passes, unless TUKIPOLKU_REQUIRE_DEPENDENCY_AUDIT=true: then that fails too. Point
PIP_AUDIT_VULNERABILITY_SERVICE=osv and PIP_AUDIT_OSV_URL at a mirror where pypi.org is closed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def main(requirements: str) -> int:
    cmd = [
        sys.executable, "-m", "pip_audit", "--disable-pip", "--progress-spinner", "off",
        "--format", "json", "-r", requirements,
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 - fixed argv
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        print(done.stdout, done.stderr, sep="\n")
        return 1
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason")]
    for d in vulnerable:
        ids = ", ".join(v["id"] for v in d["vulns"])
        print(f"VULNERABLE {d['name']} {d.get('version', '')}: {ids}")
    if vulnerable:
        return 1
    if skipped and len(skipped) == len(deps):
        print(
            f"WARNING: pip-audit could not look up any of the {len(deps)} locked packages: no vulnerability "
            "database is reachable from this machine. Nothing was audited."
        )
        return 1 if os.environ.get("TUKIPOLKU_REQUIRE_DEPENDENCY_AUDIT", "").lower() == "true" else 0
    if skipped:
        for d in skipped:
            print(f"NOT AUDITED {d['name']}: {d['skip_reason']}")
        return 1
    print(f"pip-audit: {len(deps)} locked packages, no known vulnerabilities.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
