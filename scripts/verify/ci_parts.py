"""CI runs what `make test` runs: every job of the workflow runs `scripts/test.sh <part>`, and the
parts it runs are exactly the script's default parts. A gate then cannot exist in one and not in the
other: a check added to a part runs in both, and a job that runs anything else is refused.

    python ci_parts.py WORKFLOW.yml scripts/test.sh
"""
import re
import sys

import yaml

# scripts/test.sh followed by a part: a literal, ${{ matrix.KEY }}, or "$VAR" set from one in `env`.
CALL = re.compile(r"scripts/test\.sh\s+[\"']?(\$\{\{\s*matrix\.\w+\s*\}\}|\$\{?\w+\}?|[a-z][a-z0-9-]*)")
MATRIX = re.compile(r"^\$\{\{\s*matrix\.(\w+)\s*\}\}$")


def default_parts(test_sh):
    found = re.findall(r"\bparts=\(([a-z0-9 -]+)\)", open(test_sh).read())
    if not found:
        sys.exit(f"{test_sh}: no default parts=(...) list")
    return found[-1].split()


def job_parts(name, job):
    parts = []
    for step in job.get("steps", []):
        if not isinstance(step, dict):
            continue
        env = {**job.get("env", {}), **step.get("env", {})}
        for arg in CALL.findall(step.get("run", "")):
            if arg.startswith("$") and not arg.startswith("${{"):
                arg = str(env.get(arg.strip("${}"), arg))
            key = MATRIX.match(arg)
            if key:
                values = job.get("strategy", {}).get("matrix", {}).get(key.group(1))
                if not isinstance(values, list):
                    sys.exit(f"job {name}: matrix.{key.group(1)} is not a list")
                parts += [str(v) for v in values]
            elif arg.startswith("$"):
                sys.exit(f"job {name}: cannot tell which part {arg} is")
            else:
                parts.append(arg)
    return parts


def main(workflow, test_sh):
    want = default_parts(test_sh)
    jobs = (yaml.safe_load(open(workflow)) or {}).get("jobs", {})
    errors, seen = [], []
    for name, job in jobs.items():
        parts = job_parts(name, job)
        if not parts:
            errors.append(f"job {name} runs no part of {test_sh} (a gate only CI would have)")
        seen += parts
    missing = [p for p in want if p not in seen]
    extra = sorted({p for p in seen if p not in want})
    if missing:
        errors.append("parts of make test missing from the workflow: " + ", ".join(missing))
    if extra:
        errors.append(f"not a default part of {test_sh}: " + ", ".join(extra))
    for e in errors:
        print(f"{workflow}: {e}")
    if errors:
        sys.exit(1)
    print(f"{workflow}: runs {', '.join(want)} through {test_sh}, nothing else")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
