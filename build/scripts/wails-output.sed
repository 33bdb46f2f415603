# wails-output.sed drops the lines of the Wails CLI's output that carry
# nothing to act on, so CI logs hold only the build's own lines (sed -u -f):
#   - the sponsor request it prints after every command (two lines; no flag
#     turns it off, and -v 0 would hide the errors too);
#   - the INFO of Windows builds that it uses the Go WebView2 loader (the
#     default since v2.8; the C loader it offers instead is deprecated).
/please consider sponsoring the project/d
\#^https://github.com/sponsors/#d
/Wails is now using the new Go WebView2Loader/d
