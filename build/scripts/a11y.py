#!/usr/bin/python3
"""a11y.py: prints what the loginshell window shows, read as a screen reader
reads it: the window's accessibility tree on the AT-SPI bus, one line per
element, indented by depth: its role, its name and its text, DISABLED on a
button or field that is, and FOCUSED on the element that has the keyboard.

The window scripts (walk.sh) read the words of the chrome's dialogs and
pages this way. The bus is the desktop's, outside the shell's process: a
hosted page cannot read it, so this adds no way into the shell. It needs a
D-Bus session with the accessibility bus (dbus-run-session) and
gir1.2-atspi-2.0.

Usage: a11y.py [APP]   (default loginshell; exit status 1 when no such
application is on the bus)
"""
import sys

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

MAX_DEPTH = 80


def text_of(node):
    """The element's own text, or "" (a password field's dots stay unread)."""
    if node.get_role() == Atspi.Role.PASSWORD_TEXT:
        return ""
    try:
        if "Text" not in node.get_interfaces():
            return ""
        return Atspi.Text.get_text(node, 0, Atspi.Text.get_character_count(node)) or ""
    except Exception:
        return ""


def walk(node, depth, out):
    if node is None or depth > MAX_DEPTH:
        return
    try:
        role = node.get_role_name()
        name = node.get_name() or ""
        states = node.get_state_set()
    except Exception:
        return  # gone while read: the page changed under the reader
    line = "  " * depth + role
    if name:
        line += " " + repr(name)
    text = text_of(node).replace("\ufffc", "").strip()
    if text and text != name:
        line += " text=" + repr(text)
    if role in ("push button", "entry") and not states.contains(Atspi.StateType.ENABLED):
        line += " DISABLED"
    if states.contains(Atspi.StateType.FOCUSED):
        line += " FOCUSED"
    out.append(line)
    try:
        n = node.get_child_count()
    except Exception:
        return
    for i in range(n):
        try:
            child = node.get_child_at_index(i)
        except Exception:
            continue
        walk(child, depth + 1, out)


def main():
    want = sys.argv[1] if len(sys.argv) > 1 else "loginshell"
    desktop = Atspi.get_desktop(0)
    out = []
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_name() == want:
            walk(app, 0, out)
    if not out:
        print(f"a11y.py: no application named {want} on the accessibility bus", file=sys.stderr)
        return 1
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
