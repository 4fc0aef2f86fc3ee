#!/usr/bin/python3
"""md2man.py IN.md OUT: the subset of Markdown the man/ pages use, as man(7) roff.

First line: `# NAME SECTION` (e.g. `# sigwallctl 8`). Then `## HEADING` (.SH), `### Sub`
(.SS), paragraphs, fenced code blocks (.nf/.fi), `- item` lists, tables (one line per row,
cells separated by two spaces), and option entries: a line that is only `` `--opt ARG` ``
followed by `: text` lines (.TP). Inline `code` is bold, *text* italic. No dependency beyond
Python, so meson can build the pages on any machine that builds sigwall."""
import re
import sys

VERSION = sys.argv[3] if len(sys.argv) > 3 else ""


def esc(s):
    s = s.replace("\\", "\\e")
    s = re.sub(r"`([^`]+)`", lambda m: "\\fB" + m.group(1).replace("-", "\\-") + "\\fR", s)
    s = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 <\2>", s)
    s = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", s)
    s = re.sub(r"\*([^*\s][^*]*)\*", r"\\fI\1\\fR", s)
    s = re.sub(r"(?<!\\)(?<![\\a-zA-Z])-(?=-)", r"\\-", s)
    if s.startswith(".") or s.startswith("'"):
        s = "\\&" + s
    return s


def convert(lines):
    out = []
    m = re.match(r"^# (\S+) (\d)\s*$", lines[0])
    if m is None:
        raise SystemExit("first line must be '# NAME SECTION'")
    name, sec = m.groups()
    out.append('.TH "%s" "%s" "" "sigwall %s" "sigwall manual"' % (name.upper(), sec, VERSION))
    i = 1
    para = []

    def flush():
        if para:
            out.append(esc(" ".join(para)))
            para.clear()

    while i < len(lines):
        ln = lines[i].rstrip("\n")
        if ln.startswith("```"):
            flush()
            out.append(".PP\n.nf\n.RS 4")
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                t = lines[i].rstrip("\n").replace("\\", "\\e")
                out.append(("\\&" + t) if t.startswith((".", "'")) else t)
                i += 1
            out.append(".RE\n.fi")
        elif ln.startswith("#### ") or ln.startswith("### "):
            flush()
            out.append(".SS " + esc(ln.lstrip("#").strip()))
        elif ln.startswith("## ") or ln.startswith("# "):
            flush()
            out.append(".SH " + esc(ln.lstrip("#").strip().upper()))
        elif ln.startswith("- "):
            flush()
            out.append(".IP \\(bu 2\n" + esc(ln[2:]))
        elif ln.startswith("|"):
            flush()
            if re.match(r"^\|[\s\-|:]+\|$", ln):
                i += 1
                continue
            cells = [c.strip() for c in ln.strip("|").split("|")]
            out.append(".br\n" + esc("  ".join(cells)))
        elif re.match(r"^`[^`]+`$", ln) and i + 1 < len(lines) and lines[i + 1].startswith(": "):
            flush()
            out.append(".TP\n" + esc(ln))
            i += 1
            text = []
            while i < len(lines) and lines[i].startswith(": "):
                text.append(lines[i][2:].strip())
                i += 1
            out.append(esc(" ".join(text)))
            continue
        elif ln.strip() == "":
            flush()
            out.append(".PP")
        else:
            para.append(ln.strip())
        i += 1
    flush()
    # no empty paragraphs in a row
    res = []
    for o in out:
        if o == ".PP" and res and res[-1] in (".PP",) or (o == ".PP" and res and
                                                           res[-1].startswith((".SH", ".SS"))):
            continue
        res.append(o)
    return "\n".join(res) + "\n"


def main():
    """md2man.py IN.md OUT [VERSION [MORE.md ...]]: MORE files are appended (their headings
    become sections), so a page can carry a reference kept elsewhere in the tree."""
    lines = open(sys.argv[1]).readlines()
    for more in sys.argv[4:]:
        lines += ["\n"] + open(more).readlines()
    text = convert(lines)
    with open(sys.argv[2], "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
