#!/usr/bin/env python3
"""The manual page against the commands' --help, both ways.

  man_check.py MOSAIC MANPAGE

For `mosaic --help' and each command's `mosaic COMMAND --help': every
command it lists has a subsection in the page, and every long option it
lists is described there (in the page's GLOBAL OPTIONS for the global ones,
in the command's subsection for a command's); and every option the page
describes is one some --help lists.  The page must also have an EXIT STATUS
section giving 0, 1 and 2.  Prints what differs; exit 1 if anything does.
"""
import re
import subprocess
import sys


def help_text(mosaic, *args):
    r = subprocess.run([mosaic, *args, "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"man_check: {' '.join(['mosaic', *args])} --help exited {r.returncode}")
    return r.stdout


def help_options(text):
    return set(re.findall(r"(?<![\w-])--([a-z][a-z-]*)", text)) - {"help"}


def man_sections(page):
    """Section and subsection name -> their text, with roff escapes undone."""
    text = page.replace("\\-", "-").replace("\\fI", "").replace("\\fR", "").replace("\\fB", "")
    parts, name = {}, None
    for line in text.splitlines():
        m = re.match(r"\.S[HS] (.*)", line)
        if m:
            name = m.group(1).split()[0]
            parts.setdefault(name, "")
            continue
        if name is not None:
            parts[name] += line + "\n"
    return parts


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    mosaic, page_path = argv[1], argv[2]
    with open(page_path) as f:
        sections = man_sections(f.read())
    problems = []
    top = help_text(mosaic)
    commands = re.findall(r"^  ([a-z]+) ", top.split("Commands:")[1], re.M)
    if not commands:
        problems.append("mosaic --help lists no command")
    described = {}
    for name, options in [("GLOBAL", help_options(top.split("Commands:")[0]))] + [
            (c, help_options(help_text(mosaic, c))) for c in commands]:
        text = sections.get(name)
        if text is None:
            problems.append(f"no section for {name}")
            continue
        page_opts = set(re.findall(r"(?<![\w-])--([a-z][a-z-]*)", text)) - {"help"}
        described[name] = page_opts
        for o in sorted(options - page_opts):
            problems.append(f"{name}: --{o} is in --help, not in the page")
        for o in sorted(page_opts - options):
            # A subsection may mention another command's option in passing
            # only if that option exists somewhere; checked below.
            pass
    every = set().union(*[help_options(help_text(mosaic, c)) for c in commands]) | help_options(top)
    for name, opts in described.items():
        for o in sorted(opts - every):
            problems.append(f"{name}: the page describes --{o}, which no --help lists")
    exit_text = sections.get("EXIT", "")
    for code in ("0", "1", "2"):
        if not re.search(rf"^\.B {code}$", exit_text, re.M):
            problems.append(f"EXIT STATUS does not give {code}")
    for p in problems:
        print(f"man_check: {p}")
    print(f"man_check: {len(commands)} commands, "
          f"{sum(len(v) for v in described.values())} options described; "
          f"{'ok' if not problems else f'{len(problems)} problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
