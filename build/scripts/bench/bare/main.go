// Command bare is the floor `make bench` measures loginshell's window
// against: Wails v2's vanilla template reduced to what it shows (a heading,
// a text field, a button, one bound method), built with the same tags and
// flags as loginshell and opened at the same size. Whatever loginshell
// takes beyond it to map its window, paint its first screen or hold in
// memory is what loginshell adds to Wails and WebKitGTK.
//
// bare -framed shows the same page the way loginshell must show a hosted
// one: in a frame of a document of its own, from another origin (a
// loopback server at p0.localhost:PORT), the frame's address written in
// the document, so nothing waits for a script or a round trip. Against
// it, loginshell --offline's sign-in page is measured with the cost of
// the frame itself taken out: what a hosted page on its own origin costs
// any shell, whatever it does.
package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"testing/fstest"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
)

//go:embed all:page
var page embed.FS

// App is the template's one binding.
type App struct{ ctx context.Context }

// Greet returns a greeting for the given name.
func (a *App) Greet(name string) string { return "Hello " + name + ", It's show time!" }

// chrome is the framed floor's top document: a bar as dark as
// loginshell's and the page in a frame below it, nothing scripted.
const chrome = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8" />
<title>bare, framed</title>
<style>
  html, body { margin: 0; height: 100%%; }
  body { display: flex; flex-direction: column; background: #f4f5f7; font-family: sans-serif; }
  header { flex: 0 0 44px; background: #1b2636; color: white; display: flex; align-items: center; padding: 0 16px; }
  iframe { flex: 1; border: 0; width: 100%%; }
</style>
</head>
<body>
<header>bare, framed</header>
<iframe src="http://p0.localhost:%d/index.html" sandbox="allow-scripts allow-forms allow-same-origin"></iframe>
</body>
</html>
`

func main() {
	assets := fs.FS(page)
	if len(os.Args) > 1 && os.Args[1] == "-framed" {
		inner, err := fs.Sub(page, "page")
		if err != nil {
			log.Fatal(err)
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		go http.Serve(l, http.FileServerFS(inner))
		top := fmt.Sprintf(chrome, l.Addr().(*net.TCPAddr).Port)
		assets = fstest.MapFS{"page/index.html": {Data: []byte(top)}}
	}
	app := &App{}
	err := wails.Run(&options.App{
		Title:            "bare",
		Width:            1280,
		Height:           800,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 27, G: 38, B: 54, A: 1},
		OnStartup:        func(ctx context.Context) { app.ctx = ctx },
		Bind:             []any{app},
	})
	if err != nil {
		log.Fatal(err)
	}
}
