#!/usr/bin/env python3
"""Draw the course's cell diagrams as SVG, in the notation of book/notation.md.

    python3 tools/diagrams.py          # (re)write book/figures/*.svg

The diagrams are drawn by this script rather than by hand so that the four share one style
(shapes, colours, fonts, the way subscripts are set) and a change to the notation is one edit
here; the SVG files are committed, so building the book needs nothing but the files, and a test
(tests/test_diagrams.py) fails if they drift from what this script draws. Every diagram has a
white background, so it stays legible on the site's dark theme, like the figures of rnnlab.plots.
"""
from __future__ import annotations

import html
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "book" / "figures"
INK, PATH, BACK, GATE, CAND = "#222222", "#1f77b4", "#d62728", "#fdf1d6", "#e3f0e3"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def rich(text: str, size: int) -> str:
    """SVG text content with ``_{...}``/``_x`` as subscripts and ``^{...}``/``^x`` as superscripts."""
    out, k = [], 0
    small = int(size * 0.7)
    while k < len(text):
        mark = text[k]
        if mark == "\\" and k + 1 < len(text):         # \_ is a plain underscore
            out.append(html.escape(text[k + 1]))
            k += 2
        elif mark in "_^" and k + 1 < len(text):
            if text[k + 1] == "{":
                end = text.index("}", k)
                part, k = text[k + 2:end], end + 1
            else:
                part, k = text[k + 1], k + 2
            shift = "sub" if mark == "_" else "super"
            out.append(f'<tspan baseline-shift="{shift}" font-size="{small}">'
                       f'{html.escape(part)}</tspan>')
        else:
            out.append(html.escape(mark))
            k += 1
    return "".join(out)


class Svg:
    """A small SVG canvas: boxes, circles, arrows and labels with subscripts."""

    def __init__(self, width: int, height: int, title: str) -> None:
        self.width, self.height = width, height
        self.parts = [f'<title>{html.escape(title)}</title>',
                      f'<rect width="{width}" height="{height}" fill="white"/>']

    def box(self, x: float, y: float, w: float, h: float, text: str, sub: str = "",
            fill: str = GATE, rx: float = 6) -> None:
        self.parts.append(f'<rect x="{x - w / 2}" y="{y - h / 2}" width="{w}" height="{h}" rx="{rx}" '
                          f'fill="{fill}" stroke="{INK}" stroke-width="1.5"/>')
        self.label(x, y + 5, text, sub, size=15)

    def op(self, x: float, y: float, symbol: str, r: float = 12) -> None:
        self.parts.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="white" stroke="{INK}" '
                          f'stroke-width="1.5"/>')
        self.label(x, y + 6, symbol, size=17)

    def line(self, points: list[tuple[float, float]], color: str = INK, width: float = 1.6,
             arrow: bool = True, dash: str = "") -> None:
        d = " ".join(f"{'M' if k == 0 else 'L'}{x},{y}" for k, (x, y) in enumerate(points))
        end = f' marker-end="url(#arrow-{color[1:]})"' if arrow else ""
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="{width}"'
                          f'{dashes}{end}/>')

    def label(self, x: float, y: float, text: str, sub: str = "", size: int = 14,
              color: str = INK, anchor: str = "middle", italic: bool = False) -> None:
        """Text at (x, y); ``a_{b}``, ``a_b``, ``a^{b}`` and ``a^b`` in it are set as sub- and
        superscripts (``sub`` appends one subscript)."""
        style = ' font-style="italic"' if italic else ""
        body = rich(text + (f"_{{{sub}}}" if sub else ""), size)
        self.parts.append(f'<text x="{x}" y="{y}" font-family="{FONT}" font-size="{size}" '
                          f'fill="{color}" text-anchor="{anchor}"{style}>{body}</text>')

    def write(self) -> str:
        markers = "".join(
            f'<marker id="arrow-{c[1:]}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{c}"/></marker>' for c in (INK, PATH, BACK))
        text = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" '
                f'width="{self.width}" height="{self.height}" role="img">\n<defs>{markers}</defs>\n'
                + "\n".join(self.parts) + "\n</svg>\n")
        return text


def unrolled() -> Svg:
    s = Svg(700, 270, "A simple recurrent layer unrolled over three steps")
    xs = (170, 350, 530)
    for x, t in zip(xs, ("t−1", "t", "t+1")):
        s.box(x, 135, 92, 56, "tanh")
        s.line([(x, 228), (x, 165)])
        s.label(x, 250, f"x_{{{t}}}")
        s.label(x + 10, 205, "W", anchor="start", italic=True)
        s.line([(x, 107), (x, 45)])
        s.label(x, 32, f"h_{{{t}}}")
    s.line([(55, 135), (122, 135)])
    s.label(55, 122, "h_{t−2}", anchor="start")
    for a, b, t in ((xs[0], xs[1], "t−1"), (xs[1], xs[2], "t")):
        s.line([(a + 46, 135), (b - 48, 135)])
        s.label((a + b) / 2, 126, f"h_{{{t}}}")
        s.label((a + b) / 2, 156, "U", italic=True)
    s.line([(576, 135), (640, 135)])
    s.label(648, 140, "…", anchor="start")
    s.label(350, 268, "one layer, the same W, U and b at every step", size=12)
    return s


def bptt() -> Svg:
    s = Svg(720, 250, "Backpropagation through time: the gradient is a product of Jacobians")
    xs = (80, 230, 390, 540)
    for x, t in zip(xs, ("T−k", "T−k+1", "T−1", "T")):
        s.box(x, 80, 88, 44, f"h_{{{t}}}", fill="white")
    s.line([(xs[0] + 44, 80), (xs[1] - 46, 80)])
    s.line([(xs[1] + 44, 80), (xs[1] + 62, 80)], arrow=False)
    s.label((xs[1] + xs[2]) / 2, 85, "⋯")
    s.line([(xs[2] - 64, 80), (xs[2] - 46, 80)])
    s.line([(xs[2] + 44, 80), (xs[3] - 46, 80)])
    s.box(665, 80, 56, 44, "L", fill=CAND)
    s.line([(xs[3] + 44, 80), (635, 80)])
    s.label(30, 36, "forward: each state from the one before", anchor="start", size=12)
    for a, b, t in ((xs[0], xs[1], "T−k+1"), (xs[2], xs[3], "T")):
        s.line([(b - 30, 122), (a + 30, 122)], color=BACK)
        s.label((a + b) / 2, 146, f"× J_{{{t}}}^{{⊤}}", color=BACK, italic=True)
    s.line([(640, 122), (xs[3] + 30, 122)], color=BACK)
    s.label(605, 146, "∂L/∂h_T", color=BACK, size=13)
    s.label(30, 190, "backward: δ_{t−1} = δ_t J_t^{⊤} with J_t = U diag(1 − h_t^2), the row layout of "
            "∂h_t/∂h_{t−1} (dh_t = dh_{t−1} J_t)", anchor="start", size=13, color=BACK)
    s.label(30, 220, "∂h_T/∂h_{T−k} = J_{T−k+1} J_{T−k+2} ⋯ J_T : k factors, each of norm at most "
            "‖U‖₂", anchor="start", size=13, color=BACK)
    return s


def lstm() -> Svg:
    s = Svg(720, 400, "The LSTM cell, gate by gate")
    s.parts.append(f'<rect x="110" y="40" width="520" height="285" rx="14" fill="#fafafa" '
                   f'stroke="{INK}" stroke-width="1.2"/>')
    s.line([(30, 80), (228, 80)], color=PATH, width=3)             # the additive cell path
    s.label(30, 66, "c_{t−1}", anchor="start", color=PATH)
    s.op(240, 80, "×")
    s.line([(252, 80), (378, 80)], color=PATH, width=3)
    s.op(390, 80, "+")
    s.line([(402, 80), (690, 80)], color=PATH, width=3)
    s.label(690, 66, "c_t", anchor="end", color=PATH)
    s.line([(30, 295), (530, 295)], arrow=False)                   # h_{t-1} and x_t reach every gate
    s.label(30, 285, "h_{t−1}", anchor="start")
    s.line([(150, 345), (150, 297)], arrow=False)
    s.label(150, 362, "x_t")
    for x, fn, name, fill in ((240, "σ", "f_t", GATE), (330, "σ", "i_t", GATE),
                              (420, "tanh", "c̃_t", CAND), (510, "σ", "o_t", GATE)):
        s.line([(x, 295), (x, 257)])
        s.box(x, 235, 70, 40, fn, fill=fill)
        s.label(x - 38, 210, name, anchor="end", italic=True)
    s.line([(240, 215), (240, 93)])                                # f scales c_{t-1}
    s.line([(330, 215), (330, 170), (378, 170)])                   # i ...
    s.op(390, 170, "×")
    s.line([(420, 215), (420, 170), (402, 170)])                   # ... times the candidate
    s.line([(390, 158), (390, 93)])                                # written into the cell
    s.line([(580, 80), (580, 133)])                                # tanh(c_t)
    s.box(580, 152, 60, 34, "tanh", fill=CAND)
    s.line([(580, 169), (580, 222)])
    s.op(580, 235, "×")
    s.line([(545, 235), (567, 235)])                               # o gates the output
    s.line([(592, 235), (690, 235)])
    s.label(690, 222, "h_t", anchor="end")
    s.label(370, 392, "every gate reads x_t W_∗ + h_{t−1} U_∗ + b_∗;  the cell path (blue) "
            "has no weight matrix: ∂c_t/∂c_{t−1} = diag(f_t)", size=12)
    return s


def gru() -> Svg:
    s = Svg(720, 400, "The GRU cell in Keras' convention")
    s.parts.append(f'<rect x="110" y="40" width="520" height="285" rx="14" fill="#fafafa" '
                   f'stroke="{INK}" stroke-width="1.2"/>')
    s.line([(30, 80), (258, 80)], color=PATH, width=3)             # the direct path
    s.label(30, 66, "h_{t−1}", anchor="start", color=PATH)
    s.op(270, 80, "×")
    s.line([(282, 80), (448, 80)], color=PATH, width=3)
    s.op(460, 80, "+")
    s.line([(472, 80), (690, 80)], color=PATH, width=3)
    s.label(690, 66, "h_t", anchor="end", color=PATH)
    s.line([(30, 295), (440, 295)], arrow=False)
    s.label(30, 285, "h_{t−1}", anchor="start")
    s.line([(150, 345), (150, 297)], arrow=False)
    s.label(150, 362, "x_t")
    s.line([(190, 295), (190, 257)])
    s.box(190, 235, 64, 40, "σ")
    s.label(150, 225, "r_t", anchor="end", italic=True)
    s.line([(270, 295), (270, 257)])
    s.box(270, 235, 64, 40, "σ")
    s.label(310, 225, "z_t", anchor="start", italic=True)
    s.line([(270, 215), (270, 93)])                                # z keeps h_{t-1}
    s.line([(270, 150), (345, 150)])
    s.box(375, 150, 60, 32, "1 −", fill="white")
    s.line([(405, 150), (448, 150)])
    s.op(460, 150, "×")
    s.line([(460, 138), (460, 93)])
    s.line([(440, 295), (440, 262)])
    s.box(440, 240, 110, 40, "tanh", fill=CAND)
    s.label(505, 265, "h̃_t", anchor="start", italic=True)
    s.line([(495, 240), (540, 240), (540, 150), (472, 150)])       # (1 - z) times the candidate
    s.line([(190, 215), (190, 195), (420, 195), (425, 218)], dash="4 3")
    s.label(305, 188, "r_t ⊙ (h_{t−1} U_h + b′_h)", size=12)
    s.label(370, 378, "h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ h̃_t  (Keras, Cho et al. and PyTorch; "
            "Chung et al. and Olah swap z_t and 1 − z_t)", size=12)
    s.label(370, 396, "the reset gate acts after the product with U_h: Keras' default, "
            "reset\\_after=True", size=12)
    return s


def char_lm() -> Svg:
    s = Svg(720, 330, "A character language model unrolled, trained with teacher forcing")
    text = ("w", "i", "t", "h")
    xs = (130, 280, 430, 580)
    for k, (x, ch) in enumerate(zip(xs, text[:3] + ("h",))):
        target = text[k + 1] if k + 1 < len(text) else " "
        s.label(x, 318, f"s_{{{k + 1}}} = ‘{ch}’")
        s.line([(x, 300), (x, 268)])
        s.box(x, 250, 70, 32, "E", fill="white")
        s.line([(x, 234), (x, 196)])
        s.label(x + 8, 218, f"x_{{{k + 1}}}", anchor="start", size=13)
        s.box(x, 170, 84, 48, "cell", fill=GATE)
        s.line([(x, 146), (x, 112)])
        s.label(x + 8, 133, f"h_{{{k + 1}}}", anchor="start", size=13)
        s.box(x, 92, 96, 36, "softmax", fill=CAND)
        s.line([(x, 74), (x, 52)])
        s.label(x, 40, f"p_{{{k + 1}}}", size=13)
        # the target is the true next character, a label of its own beside the prediction
        s.label(x + 20, 40, f"target s_{{{k + 2}}} = ‘{target}’", anchor="start", size=12, color=PATH)
        if k + 1 < len(xs):
            s.line([(x + 42, 170), (xs[k + 1] - 44, 170)])
            # teacher forcing: the true next character (the target), not p_t, is the next input
            s.line([(x + 60, 48), (xs[k + 1] - 58, 300)], color=PATH, dash="5,4")
    s.line([(40, 170), (86, 170)])
    s.label(40, 160, "h_0 = 0", anchor="start", size=12)
    s.label(360, 16, "a loss −ln p_t[s_{t+1}] at every step; dashed: the target (the true next "
            "character) is the next input: teacher forcing", size=12, color=PATH)
    return s


def seq2seq() -> Svg:
    s = Svg(760, 260, "An encoder-decoder: the encoder's final state starts the decoder")
    enc, dec = (80, 180, 280), (450, 550, 650)
    for x, ch in zip(enc, ("1", "+", "2")):
        s.box(x, 130, 70, 46, "enc", fill=GATE)
        s.line([(x, 210), (x, 154)])
        s.label(x, 230, f"‘{ch}’")
    for a, b in zip(enc, enc[1:]):
        s.line([(a + 36, 130), (b - 36, 130)])
    s.line([(enc[-1] + 36, 130), (dec[0] - 36, 130)], color=PATH, width=2.4)
    s.label((enc[-1] + dec[0]) / 2, 118, "h_T (and c_T)", color=PATH, size=13)
    for x, given, out in zip(dec, ("\\^", "3", "$"), ("3", "$", " ")):
        s.box(x, 130, 70, 46, "dec", fill=CAND)
        s.line([(x, 210), (x, 154)])
        s.label(x, 228, f"‘{given}’")
        s.line([(x, 106), (x, 62)])
        s.label(x, 48, f"‘{out}’")
    for a, b in zip(dec, dec[1:]):
        s.line([(a + 36, 130), (b - 36, 130)])
        s.line([(a + 18, 44), (b - 20, 212)], color=BACK, dash="5,4")
    s.label(180, 30, "encoder reads the source", size=12)
    s.label(550, 20, "decoder writes the answer", size=12)
    s.label(550, 245, "dashed: at test time each output is the next input (greedy decoding)",
            size=12, color=BACK)
    return s


def seq2seq_attention() -> Svg:
    s = Svg(800, 400, "An encoder-decoder with attention: each decoder step reads a weighted sum "
            "of all encoder states")
    enc, dec = (70, 180, 290), (470, 600, 730)
    y_box = 300
    for j, (x, ch) in enumerate(zip(enc, ("1", "2", "3")), start=1):
        s.box(x, y_box, 70, 46, "enc", fill=GATE)
        s.line([(x, 372), (x, y_box + 24)])
        s.label(x, 390, f"‘{ch}’")
    for a, b in zip(enc, enc[1:]):
        s.line([(a + 36, y_box), (b - 36, y_box)])
    s.line([(enc[-1] + 36, y_box), (dec[0] - 36, y_box)], color=PATH, width=2.4)
    s.label((enc[-1] + dec[0]) / 2, y_box - 12, "h_T, c_T", color=PATH, size=13)
    weights = (1.2, 1.2, 4.5)          # reversing 1 2 3: output step 1 looks at source position 3
    for j, (x, width) in enumerate(zip(enc, weights), start=1):
        y = 152 + 16 * j
        s.line([(x, y_box - 24), (x, y), (dec[0] - 57, y)], color=PATH, width=width)
        s.label(x + 6, 254, f"h̄_{{{j}}}", anchor="start", size=13, color=PATH)
        s.label(x + 60, y - 4, f"α_{{1{j}}}", size=12, color=PATH)
    for k, (x, given, out) in enumerate(zip(dec, ("\\^", "3", "2"), ("3", "2", "1")), start=1):
        s.box(x, y_box, 70, 46, "dec", fill=CAND)
        s.line([(x, 372), (x, y_box + 24)])
        s.label(x, 390, f"‘{given}’")
        s.line([(x, y_box - 24), (x, 206)])
        s.label(x + 6, 244, f"h_{{{k}}}", anchor="start", size=13)
        # h_t also goes around the attention box into [ctx_t ; h_t] of the tanh layer
        s.line([(x, 226), (x + 64, 226), (x + 64, 102), (x + 57, 102)])
        s.box(x, 184, 110, 40, "attention", fill="white")
        s.line([(x, 164), (x, 122)])
        s.label(x + 6, 146, f"ctx_{{{k}}}", anchor="start", size=13)
        s.box(x, 102, 110, 38, "tanh, softmax", fill=GATE)
        s.line([(x, 82), (x, 50)])
        s.label(x, 38, f"p_{{{k}}} → ‘{out}’", size=13)
    for a, b in zip(dec, dec[1:]):
        s.line([(a + 36, y_box), (b - 36, y_box)])
        s.line([(a + 30, 34), (b - 24, 376)], color=BACK, dash="5,4")
    s.label(180, 130, "the encoder's states h̄_j: the memory", size=12, color=PATH)
    s.label(180, 40, "drawn for step 1 only: every step", size=12, color=PATH)
    s.label(180, 56, "weighs all of h̄_1 … h̄_3 (thick: large α)", size=12, color=PATH)
    return s


def stacked() -> Svg:
    s = Svg(720, 360, "Two recurrent layers stacked: the first returns its whole sequence")
    xs, steps = (150, 290, 470), ("1", "2", "T")
    for x, t in zip(xs, steps):
        s.label(x, 350, f"x_{{{t}}}")
        s.line([(x, 332), (x, 294)])
        s.box(x, 270, 96, 44, "layer 1", fill=GATE)
        s.line([(x, 248), (x, 186)], color=PATH, width=2.2)
        s.label(x + 8, 222, f"h_{{{t}}}^{{(1)}}", anchor="start", size=13, color=PATH)
        s.box(x, 162, 96, 44, "layer 2", fill=GATE)
    for row in (270, 162):
        s.line([(60, row), (xs[0] - 50, row)])
        s.line([(xs[0] + 48, row), (xs[1] - 50, row)])
        s.line([(xs[1] + 48, row), (xs[1] + 78, row)], arrow=False)
        s.label((xs[1] + xs[2]) / 2, row + 5, "⋯")
        s.line([(xs[2] - 82, row), (xs[2] - 50, row)])
    s.label(44, 266, "h_0 = 0", size=12)
    s.label(44, 158, "h_0 = 0", size=12)
    s.line([(xs[2], 140), (xs[2], 92)], color=BACK, width=2.2)
    s.label(xs[2] + 8, 120, "h_{T}^{(2)}", anchor="start", size=13, color=BACK)
    s.box(xs[2], 70, 96, 40, "Dense", fill=CAND)
    s.line([(xs[2], 50), (xs[2], 26)])
    s.label(xs[2], 18, "ŷ")
    s.label(540, 270, "return\\_sequences=True:", anchor="start", size=12, color=PATH)
    s.label(540, 286, "(batch, T, n) up to layer 2", anchor="start", size=12, color=PATH)
    s.label(540, 162, "return\\_sequences=False:", anchor="start", size=12, color=BACK)
    s.label(540, 178, "(batch, n), the last state", anchor="start", size=12, color=BACK)
    return s

def padded_bidirectional() -> Svg:
    s = Svg(780, 350, "A padded sequence read by a bidirectional GRU behind a Masking layer")
    xs = (150, 250, 350, 450, 570, 670)
    grey = "#888888"

    def skipped(x: float, y: float) -> None:
        s.parts.append(f'<rect x="{x - 36}" y="{y - 20}" width="72" height="40" rx="6" '
                       f'fill="white" stroke="{grey}" stroke-width="1.2" stroke-dasharray="4,3"/>')

    for k, x in enumerate(xs):
        if k < 4:
            s.box(x, 180, 56, 34, f"x_{{{k + 1}}}", fill="white")
            s.line([(x, 162), (x, 122)])
            s.line([(x, 198), (x, 238)])
            s.box(x, 100, 72, 40, "GRU →", fill=GATE)
            s.box(x, 260, 72, 40, "GRU ←", fill=GATE)
        else:
            s.box(x, 180, 56, 34, "0", fill="#eeeeee")
            skipped(x, 100)
            skipped(x, 260)
    for a, b in zip(xs[:3], xs[1:4]):
        s.line([(a + 36, 100), (b - 38, 100)])
        s.line([(b - 36, 260), (a + 38, 260)])
    s.line([(xs[3] + 36, 100), (742, 100), (742, 163)], color=PATH, width=2.2)
    s.line([(718, 260), (xs[3] + 38, 260)], color=grey, dash="5,4")
    s.label(726, 265, "0", size=13, anchor="start")
    s.line([(62, 100), (xs[0] - 38, 100)])
    s.label(52, 105, "0", size=13, anchor="end")
    s.label(620, 40, "masked: the state is carried over", size=12, color=grey)
    s.label(620, 56, "the padding unchanged", size=12, color=grey)
    s.label(40, 24, "forward GRU: h→ after the last real frame", anchor="start", size=12,
            color=PATH)
    s.line([(xs[0] - 36, 260), (60, 260), (60, 330), (762, 330), (762, 197)], color=BACK,
           width=2.2)
    s.label(300, 324, "backward GRU: h← after reading back to x_1", size=12, color=BACK)
    s.box(742, 180, 60, 34, "[→ ; ←]", fill="white")
    return s

DIAGRAMS = {"unrolled_rnn.svg": unrolled, "bptt.svg": bptt, "lstm_cell.svg": lstm,
            "gru_cell.svg": gru, "char_lm.svg": char_lm, "seq2seq.svg": seq2seq,
            "stacked_rnn.svg": stacked, "padded_bidirectional.svg": padded_bidirectional, "seq2seq_attention.svg": seq2seq_attention}


def render() -> dict[str, str]:
    """Every diagram's SVG text, by file name."""
    return {name: draw().write() for name, draw in DIAGRAMS.items()}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (OUT / name).write_text(text, encoding="utf-8")
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
    sys.exit(0)
