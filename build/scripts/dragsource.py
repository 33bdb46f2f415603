#!/usr/bin/python3
# dragsource.py FILE X Y: a small window at X,Y whose label can be dragged,
# carrying FILE's file:// URI as a file manager would (text/uri-list).
# smoke.sh drives it with xdotool to drop a file on the shell's window.
# Debian's python3-gi and gir1.2-gtk-3.0 (build/scripts/deps.sh).
import sys
from pathlib import Path

import gi

gi.require_version("Gdk", "3.0")
gi.require_version("Gtk", "3.0")
from gi.repository import Gdk, Gtk  # noqa: E402

uri = Path(sys.argv[1]).resolve().as_uri()
window = Gtk.Window(title="dragsource")
window.set_default_size(120, 60)
window.move(int(sys.argv[2]), int(sys.argv[3]))
box = Gtk.EventBox()
box.add(Gtk.Label(label="drag me"))
box.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
box.drag_source_add_uri_targets()
box.connect("drag-data-get", lambda _w, _c, data, _i, _t: data.set_uris([uri]))
window.add(box)
window.connect("destroy", Gtk.main_quit)
window.show_all()
Gtk.main()
