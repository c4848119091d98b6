"""A learning-rate scheduler in the style of numpy-ml's KingScheduler: it keeps a history
of the losses it is given; while the history fills, one branch appends; once it is full,
the other shifts it and may decay the rate. The branch cannot be a conditional node (one
side appends to an attribute, the other rebinds it), so one side is speculated. Before,
the graph for the filling side was retired once the history was full, its signature was
remembered as failed, and every later call (a new loss each time) got a graph of its own,
specialized for that loss and never used again: 121 conversions in 300 calls, the
decorated run 400x slower than plain. Now a graph whose speculated side the calls stopped
taking is rebuilt for the side they take (the profile forgets how that branch went)."""
import numpy as np

from differential import differential


class KingScheduler:
    def __init__(self, initial_lr=0.05, patience=3, decay=0.7):
        self.decay, self.patience = decay, patience
        self.current_lr = initial_lr
        self.max_history = np.ceil(1.1 * (patience + 1)).astype(int)
        self.loss_history = []

    def _steps_without_decrease(self):
        lh = np.array(self.loss_history)
        n = len(lh)
        steps = n
        for i in range(n - 1):
            if lh[n - 1 - i] < lh[n - 2 - i]:
                steps = i
                break
        return steps

    def learning_rate(self, step, cur_loss):
        if cur_loss is None:
            raise ValueError(f"cur_loss must be a float, but got {cur_loss}")
        if len(self.loss_history) < self.max_history:
            self.loss_history.append(cur_loss)
            return self.current_lr
        self.loss_history = self.loss_history[1:] + [cur_loss]
        if self._steps_without_decrease() > self.patience:
            self.current_lr *= self.decay
        return self.current_lr


def _calls(n, seed=0):
    rng = np.random.default_rng(seed)
    s = KingScheduler()
    return s, [(s, i, np.float64(rng.random())) for i in range(n)]


def test_a_speculated_side_the_calls_stopped_taking_is_rebuilt_for_the_other():
    s, calls = _calls(120)
    f = differential(KingScheduler.learning_rate, calls)
    st = f.stats
    assert st["conversions"] <= 6, (st, f.explain())
    assert st["graph_calls"] >= 100, (st, f.explain())
    assert any("other side" in g.why for g in f.graphs)
