"""The milestones of chapter 1, as data: the timeline figure and the chapter's citations use them.

Each milestone names the bibliography key (``book/references.bib``) of the paper it stands for;
a unit test checks that every key exists there and that the years agree.
"""
from __future__ import annotations

from typing import NamedTuple


class Milestone(NamedTuple):
    """One step in the history of recurrent networks."""

    year: int
    label: str
    key: str    # bibliography key in book/references.bib
    theme: str  # one of THEMES


THEMES = {
    "recurrence": "recurrent networks",
    "training": "training and gradients",
    "gates": "gated cells",
    "applications": "applications",
    "beyond": "attention and after",
}

MILESTONES: tuple[Milestone, ...] = (
    Milestone(1986, "Backpropagation, recurrent nets unfolded in time", "rumelhart1986learning",
              "training"),
    Milestone(1986, "Jordan network: output fed back", "jordan1986serial", "recurrence"),
    Milestone(1990, "Elman network: hidden state fed back", "elman1990finding", "recurrence"),
    Milestone(1990, "Backpropagation through time", "werbos1990backpropagation", "training"),
    Milestone(1991, "Vanishing gradients analysed", "hochreiter1991untersuchungen", "training"),
    Milestone(1994, "Long-term dependencies shown hard", "bengio1994learning", "training"),
    Milestone(1997, "LSTM: constant error carousel", "hochreiter1997long", "gates"),
    Milestone(1997, "Bidirectional RNN", "schuster1997bidirectional", "recurrence"),
    Milestone(2000, "Forget gate", "gers2000learning", "gates"),
    Milestone(2000, "Peephole connections", "gers2000recurrent", "gates"),
    Milestone(2005, "LSTM with full BPTT, bidirectional", "graves2005framewise", "gates"),
    Milestone(2009, "Handwriting recognition", "graves2009novel", "applications"),
    Milestone(2012, "Gradient clipping, element-wise", "mikolov2012statistical", "training"),
    Milestone(2013, "Gradient-norm clipping", "pascanu2013difficulty", "training"),
    Milestone(2013, "Speech recognition, deep LSTM", "graves2013speech", "applications"),
    Milestone(2014, "GRU and the encoder-decoder", "cho2014learning", "gates"),
    Milestone(2014, "Sequence to sequence", "sutskever2014sequence", "applications"),
    Milestone(2014, "GRU vs LSTM compared", "chung2014empirical", "gates"),
    Milestone(2015, "Attention over encoder states", "bahdanau2015neural", "beyond"),
    Milestone(2015, "Thousands of architectures searched", "jozefowicz2015empirical", "gates"),
    Milestone(2017, "LSTM variants ablated", "greff2017lstm", "gates"),
    Milestone(2017, "QRNN: gates read only the input", "bradbury2017quasi", "beyond"),
    Milestone(2017, "Transformer", "vaswani2017attention", "beyond"),
    Milestone(2018, "Linear RNNs by parallel scan", "martin2018parallelizing", "beyond"),
    Milestone(2018, "SRU: light recurrence", "lei2018simple", "beyond"),
    Milestone(2022, "Structured state spaces (S4)", "gu2022efficiently", "beyond"),
    Milestone(2023, "RWKV", "peng2023rwkv", "beyond"),
    Milestone(2023, "Mamba: selective state spaces", "gu2023mamba", "beyond"),
    Milestone(2024, "xLSTM", "beck2024xlstm", "gates"),
    Milestone(2024, "minLSTM and minGRU", "feng2024were", "beyond"),
)
