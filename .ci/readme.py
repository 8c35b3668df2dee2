#!/usr/bin/env python3
"""Runs the README's shell commands as written, in order, in a fresh directory.

Usage: .ci/readme.py BIN [README.md]
       .ci/readme.py --help-examples BIN


Every fenced block whose info string is `sh` is run, in the order of the file, as one bash
script with `set -euo pipefail`, so a failing command fails the run and names its README line.
`meridian` is a shell function calling BIN (the alias the tour defines is not expanded by a
non-interactive shell). The directory is new and empty; `../shared/data` in it is the shared
corpus (MERIDIAN_SHARED_DATA), as it is beside a checkout.

With --help-examples, every `$ meridian …` line of an "Examples:" section of any command's
`--help` (found by walking the "Commands:" lists from `BIN --help`) runs, in order, on a fresh
demo database; any failure fails the run and names the command whose help shows it.

The convention, documented in the README itself: a block right after the line
`<!-- readme-test: skip (REASON) -->` is illustrative only and is not run (it needs the network,
a second machine, or is one of the two commands CI runs as its own steps).
"""

import os
import re
import shlex
import subprocess
import sys
import tempfile

SKIP = re.compile(r"^<!-- readme-test: skip \((?P<reason>[^)]+)\) -->$")
FENCE = re.compile(r"^```(?P<info>\S*)\s*$")


def blocks(path):
    """Yields (first line number, lines, skip reason or None) for every `sh` block."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    previous = ""
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            if lines[i].strip():
                previous = lines[i].strip()
            i += 1
            continue
        info, start = m.group("info"), i + 1
        i += 1
        body = []
        while i < len(lines) and not FENCE.match(lines[i]):
            body.append(lines[i])
            i += 1
        if i == len(lines):
            sys.exit(f"{path}:{start}: a fenced block is never closed")
        i += 1
        if info == "sh":
            skip = SKIP.match(previous)
            yield start + 1, body, skip.group("reason") if skip else None
        previous = ""


def help_text(binary, path):
    out = subprocess.run([binary, *path, "--help"], capture_output=True, text=True, check=True)
    return out.stdout


def help_examples(binary):
    """Yields (command path, example argument list) for every command's help, depth first."""
    stack = [[]]
    while stack:
        path = stack.pop(0)
        text = help_text(binary, path)
        section = None
        for line in text.splitlines():
            if line and not line.startswith(" "):
                section = line.rstrip(":")
                continue
            if section == "Commands":
                m = re.match(r"^  (\S+)\s", line + " ")
                if m and m.group(1) != "help":
                    stack.append(path + [m.group(1)])
            elif section == "Examples":
                m = re.match(r"^\s+\$ meridian (.+)$", line)
                if m:
                    yield path, shlex.split(m.group(1))


def run_help_examples(binary):
    with tempfile.TemporaryDirectory(prefix="help-examples-") as work:
        env = dict(os.environ, HOME=work, NO_COLOR="1")
        env["MERIDIAN_DB"] = "sqlite://" + os.path.join(work, "meridian.db")
        subprocess.run([binary, "--quiet", "demo"], cwd=work, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        count = 0
        for path, args in help_examples(binary):
            count += 1
            proc = subprocess.run([binary, *args], cwd=work, env=env, capture_output=True,
                                  text=True)
            print(f"--- meridian {' '.join(path)} --help: meridian {shlex.join(args)}")
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                sys.exit(f"readme: the example of `meridian {' '.join(path)} --help` FAILED: "
                         f"meridian {shlex.join(args)}")
        if count == 0:
            sys.exit("readme: no example found in any --help")
        print(f"readme: {count} --help example(s) ran")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--help-examples":
        run_help_examples(os.path.abspath(sys.argv[2]))
        return
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    readme = os.path.abspath(sys.argv[2] if len(sys.argv) == 3 else "README.md")
    shared = os.environ.get("MERIDIAN_SHARED_DATA")
    if not shared or not os.path.isdir(shared):
        sys.exit("readme: MERIDIAN_SHARED_DATA must name the shared corpus")

    script = [
        "set -euo pipefail",
        f'meridian() {{ {shlex.quote(binary)} "$@"; }}',
        "trap 'echo \"__README_FAILED_AT__ $LINENO\" >&2' ERR",
    ]
    origin = {}  # script line -> README line
    run = skipped = 0
    for first, body, reason in blocks(readme):
        if reason:
            print(f"readme: skip {os.path.basename(readme)}:{first} ({reason})")
            skipped += 1
            continue
        script.append(f"echo '--- {os.path.basename(readme)}:{first}'")
        for offset, line in enumerate(body):
            script.append(line)
            origin[len(script)] = first + offset
        run += 1
    if run == 0:
        sys.exit(f"readme: no runnable sh block in {readme}")

    with tempfile.TemporaryDirectory(prefix="readme-") as root:
        work = os.path.join(root, "tour")
        os.makedirs(os.path.join(root, "shared"))
        os.symlink(shared, os.path.join(root, "shared", "data"))
        os.makedirs(work)
        env = dict(os.environ, HOME=root, NO_COLOR="1")
        env.pop("MERIDIAN_DB", None)
        proc = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            cwd=work,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        failed_at = None
        for line in proc.stderr.splitlines():
            m = re.match(r"__README_FAILED_AT__ (\d+)$", line)
            if m:
                failed_at = failed_at or int(m.group(1))
            else:
                print(line, file=sys.stderr)
        if proc.returncode != 0:
            where = origin.get(failed_at) if failed_at else None
            place = f"{os.path.basename(readme)}:{where}" if where else "an unknown line"
            sys.exit(f"readme: FAILED at {place} (exit {proc.returncode})")
    print(f"readme: {run} block(s) ran as written, {skipped} skipped as illustrative")


if __name__ == "__main__":
    main()
