package main

import (
	"bytes"
	"os"

	"golang.org/x/term"
)

// The few escape sequences the table needs (xterm's, which every terminal
// emulator in use understands); golang.org/x/term tells whether stdout is a
// terminal and how large it is.
const (
	enterAltScreen = "\x1b[?1049h" // a screen of its own: the shell's is back untouched on exit
	leaveAltScreen = "\x1b[?1049l"
	hideCursor     = "\x1b[?25l"
	showCursor     = "\x1b[?25h"
	home           = "\x1b[H" // cursor to the top left
	clearLineEnd   = "\x1b[K" // erase to the end of the line
	clearScreenEnd = "\x1b[J" // erase below the cursor
)

// screen draws whole frames in place on a terminal.
type screen struct {
	f   *os.File
	buf bytes.Buffer
}

func openScreen(f *os.File) *screen {
	s := &screen{f: f}
	_, _ = f.WriteString(enterAltScreen + hideCursor)
	return s
}

// size returns the terminal's width and height, 80 × 24 if unknown.
func (s *screen) size() (int, int) {
	w, h, err := term.GetSize(int(s.f.Fd()))
	if err != nil || w <= 0 || h <= 0 {
		return 80, 24
	}
	return w, h
}

// draw replaces what is shown with lines, in one write.
func (s *screen) draw(lines []string) {
	s.buf.Reset()
	s.buf.WriteString(home)
	for i, l := range lines {
		if i > 0 {
			s.buf.WriteString("\r\n")
		}
		s.buf.WriteString(l)
		s.buf.WriteString(clearLineEnd)
	}
	s.buf.WriteString(clearScreenEnd)
	_, _ = s.f.Write(s.buf.Bytes())
}

// restore gives the terminal back as it was.
func (s *screen) restore() { _, _ = s.f.WriteString(showCursor + leaveAltScreen) }
