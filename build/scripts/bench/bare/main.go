// Command bare is the floor `make bench` measures loginshell's window
// against: Wails v2's vanilla template reduced to what it shows (a heading,
// a text field, a button, one bound method), built with the same tags and
// flags as loginshell and opened at the same size. Whatever loginshell
// takes beyond it to map its window, paint its first screen or hold in
// memory is what loginshell adds to Wails and WebKitGTK.
package main

import (
	"context"
	"embed"
	"log"

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

func main() {
	app := &App{}
	err := wails.Run(&options.App{
		Title:            "bare",
		Width:            1280,
		Height:           800,
		AssetServer:      &assetserver.Options{Assets: page},
		BackgroundColour: &options.RGBA{R: 27, G: 38, B: 54, A: 1},
		OnStartup:        func(ctx context.Context) { app.ctx = ctx },
		Bind:             []any{app},
	})
	if err != nil {
		log.Fatal(err)
	}
}
