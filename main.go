// Command loginshell is a desktop shell that hosts login web pages and
// operators' web apps, runs the authentication service behind them and
// raises electronic-signature challenges. Everything it does is in
// internal/cli; main is the only place that exits the process.
package main

import (
	"os"

	"loginshell/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
