"""A softmax-policy gradient bandit: actions sampled with np.random.choice(p=...), a
running-average baseline, preferences updated every pull; several independent runs."""
import numpy as np


class GradientBandit:
    def __init__(self, k, alpha):
        self.H = np.zeros(k)
        self.alpha = alpha
        self.baseline = 0.0
        self.t = 0

    def policy(self):
        e = np.exp(self.H - self.H.max())
        return e / e.sum()

    def act(self):
        return np.random.choice(len(self.H), p=self.policy())

    def learn(self, a, reward):
        self.t += 1
        self.baseline += (reward - self.baseline) / self.t
        pi = self.policy()
        onehot = np.zeros_like(self.H)
        onehot[a] = 1.0
        self.H += self.alpha * (reward - self.baseline) * (onehot - pi)


def run(jit):
    GradientBandit.act = jit(GradientBandit.act)
    GradientBandit.learn = jit(GradientBandit.learn)
    np.random.seed(47)
    true_means = np.random.randn(5)
    results = []
    for run_i in range(4):
        agent = GradientBandit(5, 0.1)
        rewards = []
        for t in range(150):
            a = agent.act()
            r = true_means[a] + np.random.randn()
            agent.learn(a, r)
            rewards.append(r)
        print(f"run {run_i}: mean reward {np.mean(rewards):.4f}, best arm {np.argmax(agent.H)}")
        results.append((agent, rewards))
    return true_means, results
