#!/usr/bin/env python3
"""cliopts.py help|man [FILE] [usage|list]: the options a program's --help
text (stdin) or its mdoc man page (FILE) lists, one per line, sorted: "-c",
"--cacert"; only those of the usage lines (SYNOPSIS) or of the option list
when usage or list is given.

Help: flags in the "usage:" lines (packed groups like [-46hkVv] count one
flag per letter) and the left column of the option list (lines starting
with spaces and '-', up to the first run of two spaces).
Man: every Fl argument in SYNOPSIS and on .It lines ("Fl Fl name" and
"Fl -name" are long options; "Fl 46hkVv" packs single-letter flags)."""
import re
import sys

MACROS = set("""Ad An Ap Aq Ar Bc Bf Bk Bo Bq Brq Bx Cd Cm Dc Dl Do Dq Dv Ec
    Ef Ek Em En Eo Er Es Ev Fa Fc Fl Fn Fo Ft Fx Ic In It Lb Li Lk Ms Mt Nm
    No Ns Nx Oc Oo Op Ot Ox Pa Pc Pf Po Pp Pq Qc Ql Qo Qq Sc Sh Sm So Sq Ss
    St Sx Sy Ta Tn Ux Va Vt Xc Xo Xr""".split())
PUNCT = re.compile(r"^[,.;:()\[\]|]+$")

def short_group(word):
    return {"-" + c for c in word}


def from_help(text, part=None):
    opts, usage = set(), set()
    in_usage = True
    for line in text.splitlines():
        if re.match(r"^\S", line) and not line.startswith("usage:"):
            in_usage = False
        if in_usage:
            for m in re.finditer(r"(?:^|[\s\[|])(--?)([A-Za-z0-9?][-A-Za-z0-9]*)", line):
                if m.group(1) == "--":
                    usage.add("--" + m.group(2))
                else:
                    usage |= short_group(m.group(2))
            continue
        m = re.match(r"^ {2,6}(-.*?)(?:\s{2,}|$)", line)
        if not m:
            continue
        for t in re.finditer(r"(?:^|[\s,])(--?[A-Za-z0-9?][-A-Za-z0-9]*)", m.group(1)):
            opts.add(t.group(1))
    return {"usage": usage, "list": opts}.get(part, usage | opts)


def fl_args(words):
    """Flags of the Fl macros on one line: Fl renders each of its arguments
    (up to the next macro) with a dash, so "Fl o , -output" is -o and
    --output, and an empty Fl before another ("Fl Fl name") adds a dash."""
    opts = set()
    dash = ""
    for i, w in enumerate(words):
        if w != "Fl":
            continue
        j, args = i + 1, []
        while j < len(words) and words[j] not in MACROS:
            if not PUNCT.match(words[j]):
                args.append(words[j].replace("\\-", "-"))
            j += 1
        if not args:
            # An empty Fl: a dash for the Fl right after it, if any.
            dash = "-" if j < len(words) and words[j] == "Fl" and j == i + 1 else ""
            continue
        for a in args:
            flag = dash + "-" + a
            if flag.startswith("--"):
                if re.match(r"^--[A-Za-z0-9][-A-Za-z0-9]*$", flag):
                    opts.add(flag)
            elif re.match(r"^-[A-Za-z0-9?]+$", flag):
                opts |= short_group(a)
        dash = ""
    return opts


def from_man(path, part=None):
    opts, usage = set(), set()
    section = ""
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith(".Sh "):
                section = line[4:].strip()
                continue
            words = line.lstrip(".").split()
            if section == "SYNOPSIS":
                usage |= fl_args(words)
            elif words[:2] == ["It", "Fl"]:
                opts |= fl_args(words)
    return {"usage": usage, "list": opts}.get(part, usage | opts)


def main():
    if sys.argv[1] == "help":
        opts = from_help(sys.stdin.read(), sys.argv[2] if len(sys.argv) > 2 else None)
    else:
        opts = from_man(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    for o in sorted(opts):
        print(o)


main()
