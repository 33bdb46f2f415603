package main

import (
	"fmt"
	"html"
	"slices"
	"sort"
	"strings"
)

// figure is one row: the floor's and loginshell's measurements, round by
// round (equal lengths: round i of each was measured side by side).
type figure struct {
	Name, Unit   string
	Floor, Shell []float64
	// HigherBetter: the unit is a rate (req/s); the ratio is still a
	// cost, floor over loginshell, so 1.00 is the floor and more is worse.
	HigherBetter bool
	// Target is the highest ratio the issue accepts; 0 for none.
	Target float64
	Note   string
}

// ratios are the per-round costs relative to the floor.
func (f figure) ratios() []float64 {
	var r []float64
	for i := range min(len(f.Floor), len(f.Shell)) {
		if f.HigherBetter {
			r = append(r, f.Floor[i]/f.Shell[i])
		} else {
			r = append(r, f.Shell[i]/f.Floor[i])
		}
	}
	return r
}

type report struct {
	Machine, Date, Commit string
	Rounds                int
	Figures               []figure
	Extra                 []moduleSize        // what the binary holds beyond the bare app's
	Absolutes             []absolute          // the figures with no floor: the plant, the trail
	DemoBytes             int64               // symbols only the --demo provider brings in
	Plant                 string              // the 20-station figure
	Shots                 []string            // the final screens of round 1
	Steps                 map[string][]memRun // memory step by step, by variant (pss.go)
	StepsRounds           int
}

func (r *report) add(f figure) { r.Figures = append(r.Figures, f) }

// shortMachine is the machine for a table row: the CPU's first words and
// the cores.
func (r *report) shortMachine() string {
	cpu, rest, _ := strings.Cut(r.Machine, ", ")
	cores, _, _ := strings.Cut(rest, ", ")
	return cpu + " " + strings.Replace(cores, " cores", "c", 1)
}

// median and spread (min–max) of xs.
func stats(xs []float64) (med, lo, hi float64) {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0, 0, 0
	}
	med = s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return med, s[0], s[n-1]
}

func cell(xs []float64) string {
	med, lo, hi := stats(xs)
	if len(xs) == 1 {
		return num(med)
	}
	return fmt.Sprintf("%s (%s–%s)", num(med), num(lo), num(hi))
}

func num(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}

func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# loginshell against its floor\n\n")
	fmt.Fprintf(&b, "Machine: %s. Date: %s. Commit: %s. %d interleaved rounds; each cell is the median (min–max); "+
		"the ratio is taken round by round (loginshell's cost over the floor's: 1.00 is the floor, more is slower or bigger) "+
		"and its median given. Rerun: `make bench`.\n\n", r.Machine, r.Date, r.Commit, r.Rounds)
	run := fmt.Sprintf("%s · %s · %s", r.shortMachine(), r.Date, r.Commit)
	b.WriteString("| figure | floor | loginshell | ratio | target | | run |\n| --- | ---: | ---: | ---: | ---: | --- | --- |\n")
	for _, f := range r.Figures {
		rm, rlo, rhi := stats(f.ratios())
		ratio := fmt.Sprintf("%.2f", rm)
		if len(f.ratios()) > 1 {
			ratio = fmt.Sprintf("%.2f (%.2f–%.2f)", rm, rlo, rhi)
		}
		target, verdict := "", ""
		if f.Target > 0 {
			target = fmt.Sprintf("≤ %.2f", f.Target)
			verdict = "met"
			if rm > f.Target {
				verdict = "**not met**"
			}
		}
		name := f.Name
		if f.Note != "" {
			name += " — " + f.Note
		}
		fmt.Fprintf(&b, "| %s | %s %s | %s %s | %s | %s | %s | %s |\n", name, cell(f.Floor), f.Unit, cell(f.Shell), f.Unit, ratio, target, verdict, run)
	}
	b.WriteString(r.absoluteTable())
	b.WriteString(r.stepsMarkdown())
	if len(r.Extra) > 0 {
		b.WriteString("\n## What the binary holds beyond the bare app\n\nSymbols of a build with symbols (`go tool nm -size`), " +
			"loginshell's minus the bare app's, by module; the stripped binary is smaller than their sum.\n\n| module | extra |\n| --- | ---: |\n")
		for _, m := range r.Extra[:min(len(r.Extra), 15)] {
			fmt.Fprintf(&b, "| %s | %.2f MB |\n", m.Module, mb(m.Bytes))
		}
		if r.DemoBytes > 0 {
			fmt.Fprintf(&b, "\nThe --demo provider: %.2f MB of those symbols are packages only it imports (zitadel/oidc and "+
				"what it brings); a station started without --demo runs none of it (no provider, no key).\n", mb(r.DemoBytes))
		}
	}
	if len(r.Shots) > 0 {
		b.WriteString("\nThe final screens xpaint timed, round 1:")
		for _, s := range r.Shots {
			fmt.Fprintf(&b, " [%s](%s)", s, s)
		}
		b.WriteString(".\n")
	}
	return b.String()
}

// svg plots each figure's ratio to its floor: a bar at the median, a
// whisker for the spread, a tick at the target.
func (r *report) svg() string {
	const rowH, left, width, barW = 28, 420, 360, 360.0
	maxR := 2.0
	for _, f := range r.Figures {
		_, _, hi := stats(f.ratios())
		maxR = max(maxR, hi*1.05)
	}
	x := func(v float64) float64 { return left + v/maxR*barW }
	h := 60 + rowH*len(r.Figures) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", left+width+40, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#fff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="14" font-weight="bold">loginshell / floor (1.00 = the floor; lower is better)</text>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="38" fill="#555">%s — %s — %s</text>`+"\n", html.EscapeString(r.Machine), r.Date, html.EscapeString(r.Commit))
	fmt.Fprintf(&b, `<line x1="%.1f" y1="48" x2="%.1f" y2="%d" stroke="#333" stroke-dasharray="4 3"/>`+"\n", x(1), x(1), h-25)
	for i, f := range r.Figures {
		y := 60 + rowH*i
		med, lo, hi := stats(f.ratios())
		colour := "#2b6cb0"
		if f.Target > 0 && med > f.Target {
			colour = "#c53030"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-8, y+15, html.EscapeString(f.Name))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="16" fill="%s" opacity="0.8"/>`+"\n", left, y+3, x(med)-left, colour)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000"/>`+"\n", x(lo), y+11, x(hi), y+11)
		if f.Target > 0 {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c53030" stroke-width="2"/>`+"\n", x(f.Target), y, x(f.Target), y+22)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%.2f</text>`+"\n", max(x(hi), x(med))+6, y+15, med)
	}
	for _, v := range []float64{0, 0.5, 1, 1.5, 2, 2.5, 3} {
		if v > maxR {
			break
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%.1f</text>`+"\n", x(v), h-10, v)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// stepsMarkdown is the per-step table of each variant (medians of the
// rounds, MB) and loginshell's resident code by module at idle.
func (r *report) stepsMarkdown() string {
	if len(r.Steps) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Memory step by step\n\nPSS in MB, the median of %d interleaved rounds (`go run ./build/scripts/bench -only steps`), "+
		"measured when xpaint reports each step (the process runs on while it is read: a few ms late). "+
		"\"Process started\" is the process held at gtk_init_check (build/scripts/bench/gtkhold): Go's runtime, package "+
		"initialisation and what the app does before GTK. The binary's columns are its resident pages by ELF section; the "+
		"Go heap is the anonymous memory in Go's arenas. The floors have every step but a chrome: their step 3 is their "+
		"page painted. These runs are not timed.\n", r.StepsRounds)
	for _, v := range []struct{ key, name string }{
		{"bare", "the reduced template"}, {"vanilla", "the vanilla template, unmodified"},
		{"demo", "loginshell --demo (a first start)"}, {"offline", "loginshell --offline"},
		{"framed", "the reduced template, its page framed from another origin"},
	} {
		runs := r.Steps[v.key]
		if len(runs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s:\n\n| step |", v.name)
		for _, c := range memCols {
			fmt.Fprintf(&b, " %s |", c.name)
		}
		b.WriteString("\n| --- |" + strings.Repeat(" ---: |", len(memCols)) + "\n")
		for _, st := range memSteps {
			fmt.Fprintf(&b, "| %s |", st.name)
			for _, c := range memCols {
				var xs []float64
				for _, run := range runs {
					if s := run[st.key]; s != nil {
						xs = append(xs, s[c.key]/1024)
					}
				}
				if len(xs) == 0 {
					b.WriteString(" – |")
					continue
				}
				med, _, _ := stats(xs)
				fmt.Fprintf(&b, " %.1f |", med)
			}
			b.WriteString("\n")
		}
	}
	for _, run := range r.Steps["offline"] {
		mods := run["modules"]
		if mods == nil {
			continue
		}
		type row struct {
			mod            string
			resident, size float64
		}
		var rows []row
		for k, v := range mods {
			if m, ok := strings.CutPrefix(k, "size:"); ok {
				rows = append(rows, row{m, mods["resident:"+m], v})
			}
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].resident > rows[j].resident })
		b.WriteString("\nloginshell --offline at idle, round 1: its code (the binary's text) resident by module, against the module's " +
			"code in the binary (pages counted for the symbol at their middle):\n\n| module | resident | in the binary |\n| --- | ---: | ---: |\n")
		for _, x := range rows[:min(len(rows), 12)] {
			fmt.Fprintf(&b, "| %s | %.2f MB | %.2f MB |\n", x.mod, x.resident/1024, x.size/1024)
		}
		break
	}
	return b.String()
}
