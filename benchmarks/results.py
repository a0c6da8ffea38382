"""Shared by the benchmark scripts: replace one '## ' section of benchmarks/RESULTS.md."""
import os

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")


def write_section(heading, body_lines):
    """Puts '## heading' followed by body_lines in RESULTS.md, replacing a section of that heading."""
    section = "\n".join([f"## {heading}", ""] + body_lines)
    text = open(PATH).read() if os.path.exists(PATH) else "# Benchmark results\n\n"
    start = text.find(f"## {heading}")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    open(PATH, "w").write(text)
    print(f"wrote {PATH}")
