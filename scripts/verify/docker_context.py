#!/usr/bin/env python3
"""Prove, without a container engine, that an image's build context holds what its build needs.

The build context is recreated in a temporary directory exactly as `docker build` would see it:
the files of a fresh checkout (git ls-files: tracked plus untracked-not-ignored) under the context
directory, minus what the .dockerignore excludes (moby's pattern rules: last match wins, `!`
re-includes, a pattern matching a directory excludes everything under it). Then every `COPY`/`ADD`
from the context is replayed into a fake root file system at the stage's WORKDIR, and the probe the
Dockerfile's own build implies runs there:

  cargo build in a RUN  -> `cargo metadata --locked --offline` where the build runs (every workspace
                           member, every [patch] path, the lock file); an unused [patch] fails too
  npm ci / npm run build -> package-lock.json in step with package.json, and every file the build
                           reads (tsconfig includes, index.html and what it references) present
  always                 -> every COPY source exists in the context (Docker fails otherwise)

  docker_context.py --release-workflow .github/workflows/release.yml   every image CI builds
  docker_context.py --dockerfile F --context DIR                        one Dockerfile
"""
import argparse
import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import yaml


# --- .dockerignore (github.com/moby/patternmatcher semantics) ---------------------------------
def _pattern_regex(pattern):
    out, i = "^", 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            if i + 1 < len(pattern) and pattern[i + 1] == "*":
                i += 1
                if i + 1 < len(pattern) and pattern[i + 1] == "/":
                    i += 1
                out += ".*" if i + 1 >= len(pattern) else "(.*/)?"
            else:
                out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        elif ch == "[":
            j = pattern.find("]", i)
            if j < 0:
                out += re.escape(ch)
            else:
                out += pattern[i:j + 1]
                i = j
        else:
            out += re.escape(ch)
        i += 1
    return re.compile(out + "$")


def read_dockerignore(path):
    patterns = []
    if not path or not os.path.exists(path):
        return patterns
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            exclusion = line.startswith("!")
            if exclusion:
                line = line[1:].strip()
            line = os.path.normpath(line).lstrip("/") if line not in (".", "/") else "."
            patterns.append((exclusion, _pattern_regex(line)))
    return patterns


def ignored(patterns, rel):
    matched = False
    parent = os.path.dirname(rel)
    parents = parent.split("/") if parent else []
    for exclusion, rx in patterns:
        if exclusion != matched:
            continue
        hit = bool(rx.match(rel))
        if not hit and parents:
            hit = any(rx.match("/".join(parents[:i + 1])) for i in range(len(parents)))
        if hit:
            matched = not exclusion
    return matched


def context_files(context):
    """Files a fresh checkout has under `context`, relative to it."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
                         cwd=context, check=True, capture_output=True).stdout.decode()
    return sorted(p for p in out.split("\0") if p and os.path.isfile(os.path.join(context, p)))


# --- Dockerfile ---------------------------------------------------------------------------------
def instructions(dockerfile):
    """(keyword, args) per instruction, continuation lines joined, comments dropped."""
    with open(dockerfile) as f:
        text = f.read()
    escape = "\\"
    m = re.search(r"^#\s*escape\s*=\s*(\S)", text, re.M)
    if m:
        escape = m.group(1)
    out, buf = [], ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if buf and line.lstrip().startswith("#"):
            continue
        if line.endswith(escape):
            buf += line[:-1] + " "
            continue
        buf += line
        kw, _, rest = buf.strip().partition(" ")
        out.append((kw.upper(), rest.strip()))
        buf = ""
    return out


def parse_copy(args):
    """(flags, sources, dest) for COPY/ADD in shell or JSON form."""
    words = shlex.split(args)
    flags = {}
    while words and words[0].startswith("--"):
        k, _, v = words.pop(0)[2:].partition("=")
        flags.setdefault(k, []).append(v)
    rest = " ".join(words)
    if rest.startswith("["):
        words = json.loads(rest)
    return flags, words[:-1], words[-1]


class Stage:
    def __init__(self, name):
        # steps in Dockerfile order: ("copy", (srcs, dest, excludes, workdir)) or ("run", (cmd, workdir))
        self.name, self.workdir, self.steps = name, "/", []


def stages(dockerfile):
    out = []
    for kw, args in instructions(dockerfile):
        if kw == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else str(len(out))
            out.append(Stage(name))
        elif not out:
            continue
        elif kw == "WORKDIR":
            out[-1].workdir = os.path.normpath(os.path.join(out[-1].workdir, args.strip('"')))
        elif kw in ("COPY", "ADD"):
            flags, srcs, dest = parse_copy(args)
            if "from" in flags or any(re.match(r"^[a-z]+://", s) for s in srcs):
                continue  # another stage or image, or a URL: not the build context
            out[-1].steps.append(("copy", (srcs, dest, flags.get("exclude", []), out[-1].workdir)))
        elif kw == "RUN":
            out[-1].steps.append(("run", (args, out[-1].workdir)))
    return out


# --- replay -------------------------------------------------------------------------------------
def replay(copy, context, files, root):
    """Copy what one COPY/ADD line takes from the context into root; returns errors."""
    errors = []
    srcs, dest, excludes, workdir = copy
    dest_abs = os.path.normpath(os.path.join(workdir, dest))
    many = len(srcs) > 1 or any(ch in s for s in srcs for ch in "*?[")
    for src in srcs:
        src = os.path.normpath(src).lstrip("/")
        if src == ".":
            hits = [(f, f) for f in files]
        else:
            exact = [(f, os.path.basename(f)) for f in files if fnmatch.fnmatchcase(f, src)]
            under = [(f, os.path.relpath(f, d)) for d in sorted({f for f in _dirs(files) if fnmatch.fnmatchcase(f, src)})
                     for f in files if f.startswith(d + "/")]
            hits = exact + under
        hits = [(f, r) for f, r in hits if not any(fnmatch.fnmatchcase(f, e) for e in excludes)]
        if not hits:
            errors.append(f"COPY {src} {dest}: '{src}' is not in the build context (missing or .dockerignore'd)")
            continue
        for f, rel in hits:
            single_file = len(hits) == 1 and rel == os.path.basename(f) and src == f
            if single_file and not many and not dest.endswith("/"):
                target = dest_abs
            else:
                target = os.path.join(dest_abs, rel)
            out = os.path.join(root, target.lstrip("/"))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            shutil.copy2(os.path.join(context, f), out)
    return errors


def _dirs(files):
    seen = set()
    for f in files:
        d = os.path.dirname(f)
        while d and d not in seen:
            seen.add(d)
            d = os.path.dirname(d)
    return seen


# --- probes -------------------------------------------------------------------------------------
def _version(v):
    return tuple(int(x) for x in re.findall(r"\d+", v)[:3])


def cargo_probe(root, workdir, cmd, context, toolchain=None):
    cwd = os.path.join(root, workdir.lstrip("/"))
    if not os.path.exists(os.path.join(cwd, "Cargo.toml")):
        return [f"cargo runs in {workdir}, but no Cargo.toml was copied there"]
    # The targets the image builds for (named in its RUN), else this machine's.
    targets = sorted(set(re.findall(r"\b(?:x86_64|aarch64)-unknown-linux-(?:gnu|musl)\b", cmd)))
    filters = [a for t in targets for a in ("--target", t)]
    # Fill the registry cache from the checkout (a no-op when warm) so that the offline run below
    # fails only for what the context lacks, not for a cold cache.
    subprocess.run(["cargo", "fetch", "--locked", "--quiet", *filters], cwd=context, capture_output=True)
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(root, ".target"))
    platform = [a for t in targets for a in ("--filter-platform", t)]
    p = subprocess.run(["cargo", "metadata", "--locked", "--offline", "--format-version", "1", *platform],
                       cwd=cwd, env=env, capture_output=True, text=True)
    errors = []
    if p.returncode != 0:
        errors.append("cargo metadata --locked --offline failed in the image's build context:\n" + p.stderr.strip())
    else:
        meta = json.loads(p.stdout)
        print(f"  cargo metadata: {len(meta['workspace_members'])} workspace members, "
              f"{len(meta['packages'])} packages resolved from the context")
        # The image's toolchain must be new enough for every locked package (their rust-version).
        needs = [(_version(pk["rust_version"]), pk["name"]) for pk in meta["packages"] if pk.get("rust_version")]
        if toolchain and needs:
            need, who = max(needs)
            if _version(toolchain) < need:
                errors.append(f"the image's Rust {toolchain} is older than {'.'.join(map(str, need))}, "
                              f"the rust-version of {who} in Cargo.lock")
    errors += [f"unused [patch] (the image would build something else): {line.strip()}"
               for line in p.stderr.splitlines() if re.search(r"[Pp]atch .* was not used", line)]
    return errors


def npm_probe(root, workdir, full):
    cwd = os.path.join(root, workdir.lstrip("/"))
    errors = []
    pkg_path, lock_path = os.path.join(cwd, "package.json"), os.path.join(cwd, "package-lock.json")
    if not os.path.exists(pkg_path) or not os.path.exists(lock_path):
        return [f"npm runs in {workdir}, but package.json / package-lock.json were not copied there"]
    with open(pkg_path) as f:
        pkg = json.load(f)
    with open(lock_path) as f:
        lock_root = json.load(f).get("packages", {}).get("", {})
    for field in ("dependencies", "devDependencies"):
        if (pkg.get(field) or {}) != (lock_root.get(field) or {}):
            errors.append(f"package-lock.json is out of step with package.json ({field}): npm ci would fail")
    needed = {"package.json", "package-lock.json"}
    if not full:
        if not errors:
            print("  npm ci: package-lock.json in step with package.json")
        return errors
    build = (pkg.get("scripts") or {}).get("build", "")
    for m in re.finditer(r"-p\s+(\S+)", build):
        needed.add(m.group(1))
    for tsconfig in [n for n in needed if n.endswith(".json") and n.startswith("tsconfig")] or ["tsconfig.json"]:
        path = os.path.join(cwd, tsconfig)
        if os.path.exists(path):
            for inc in json.load(open(path)).get("include", []):
                needed.add(inc)
    if "vite" in build:
        needed.add("index.html")
        html_path = os.path.join(cwd, "index.html")
        if os.path.exists(html_path):
            for ref in re.findall(r'(?:src|href)="/([^"]+)"', open(html_path).read()):
                needed.add(ref if os.path.exists(os.path.join(cwd, ref)) or "/" in ref else "public/" + ref)
    for n in sorted(needed):
        if not os.path.exists(os.path.join(cwd, n)):
            errors.append(f"the build reads {n}, which is not in the image's context at {workdir}")
    if not errors:
        print(f"  npm run build: lock in step with package.json; build inputs present: {', '.join(sorted(needed))}")
    return errors


def check(dockerfile, context):
    print(f"{dockerfile} (context {context})")
    own = dockerfile + ".dockerignore"
    patterns = read_dockerignore(own if os.path.exists(own) else os.path.join(context, ".dockerignore"))
    files = [f for f in context_files(context) if not ignored(patterns, f)]
    errors = []
    with open(dockerfile) as f:
        rust = re.search(r"^ARG RUST_VERSION=(\S+)", f.read(), re.M)
    with tempfile.TemporaryDirectory(prefix="docker-context-") as root:
        for st in stages(dockerfile):
            for kind, step in st.steps:
                if kind == "copy":
                    errors += replay(step, context, files, root)
                    continue
                cmd, workdir = step
                if re.search(r"\bcargo\s+build\b", cmd):
                    errors += cargo_probe(root, workdir, cmd, context, rust and rust.group(1))
                if re.search(r"\bnpm\s+(ci|install)\b", cmd):
                    errors += npm_probe(root, workdir, full=False)
                if re.search(r"\bnpm\s+run\s+build\b", cmd):
                    errors += npm_probe(root, workdir, full=True)
    for e in errors:
        print("  ERROR " + e.replace("\n", "\n        "))
    print(f"  {'FAIL' if errors else 'ok'}: {len(files)} files in the context")
    return not errors


def release_matrix(workflow):
    with open(workflow) as f:
        wf = yaml.safe_load(f)
    for job in wf["jobs"].values():
        for item in ((job.get("strategy") or {}).get("matrix") or {}).get("include", []):
            if "file" in item and "context" in item:
                yield item["file"], item["context"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--release-workflow")
    ap.add_argument("--dockerfile")
    ap.add_argument("--context")
    a = ap.parse_args()
    pairs = list(release_matrix(a.release_workflow)) if a.release_workflow else [(a.dockerfile, a.context)]
    if not pairs or not all(d and c for d, c in pairs):
        sys.exit("nothing to check: give --release-workflow, or --dockerfile and --context")
    ok = all([check(d, c) for d, c in pairs])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
