"""REINFORCE (policy gradient) on CartPole simulated in NumPy: the discounted returns and
the policy update are unchanged NumPy functions decorated with janus_lite.jit.

Run: python examples/policy_gradient.py [--quick]
Prints the episode length growing, then for each decorated function the speedup against
the plain one (timed side by side, interleaved, medians) and the graph-served share.

The rollout is left undecorated on purpose: it steps an environment object whose state it
rewrites inside a loop with a data-dependent exit (the pole falling) and draws from a NumPy
Generator. janus_lite keeps such a function exact but runs it imperatively ("state written
inside a run-time loop is not supported yet"), so decorating it would only add the
profiling cost; `print(janus_lite.jit(rollout).explain())` after a few calls says why.
Both decorated functions are small: their calls take tens of µs on arrays of a few hundred
elements, so they run about as fast as plain NumPy (the timing lines say why).
"""
import argparse
import math

import numpy as np

import janus_lite
from janus_lite.inspect.timing import compare, report_lines


class CartPole:
    """The classic cart-pole dynamics (Barto, Sutton & Anderson 1983), Euler steps."""
    gravity, cart_mass, pole_mass, half_length, force, dt = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02

    def __init__(self):
        self.state = np.zeros(4)

    def reset(self, rng):
        self.state = rng.uniform(-0.05, 0.05, size=4)
        return self.state.copy()

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = self.force if action == 1 else -self.force
        total = self.cart_mass + self.pole_mass
        cos, sin = math.cos(theta), math.sin(theta)
        temp = (force + self.pole_mass * self.half_length * theta_dot ** 2 * sin) / total
        theta_acc = (self.gravity * sin - cos * temp) / (
            self.half_length * (4.0 / 3.0 - self.pole_mass * cos ** 2 / total))
        x_acc = temp - self.pole_mass * self.half_length * theta_acc * cos / total
        self.state = np.array([x + self.dt * x_dot, x_dot + self.dt * x_acc,
                               theta + self.dt * theta_dot, theta_dot + self.dt * theta_acc])
        done = abs(self.state[0]) > 2.4 or abs(self.state[2]) > 0.2095
        return self.state.copy(), 1.0, done


def rollout(theta, env, rng, max_steps):
    """Run one episode with the logistic policy p(push right) = sigmoid(obs @ theta)."""
    obs = env.reset(rng)
    observations, actions, rewards = [], [], []
    for _ in range(max_steps):
        p_right = 1.0 / (1.0 + np.exp(-(obs @ theta)))
        action = 1 if rng.random() < p_right else 0
        observations.append(obs)
        actions.append(action)
        obs, reward, done = env.step(action)
        rewards.append(reward)
        if done:
            break
    return np.array(observations), np.array(actions, dtype=float), np.array(rewards)


def discounted_returns(rewards, gamma):
    out = np.zeros_like(rewards)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        out[t] = running
    return out


def update(theta, observations, actions, returns, lr):
    """One REINFORCE step with normalized returns as advantages."""
    p_right = 1.0 / (1.0 + np.exp(-(observations @ theta)))
    advantage = (returns - returns.mean()) / (returns.std() + 1e-8)
    grad = observations.T @ ((actions - p_right) * advantage)
    return theta + lr * grad / observations.shape[0]


fast_returns = janus_lite.jit(discounted_returns)
fast_update = janus_lite.jit(update)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (tests)")
    opts = ap.parse_args(argv)
    episodes, max_steps = (30, 100) if opts.quick else (300, 500)
    rng = np.random.default_rng(0)
    env = CartPole()
    theta = np.zeros(4)
    lengths = []
    for ep in range(1, episodes + 1):
        obs, acts, rews = rollout(theta, env, rng, max_steps)    # not decorated: see above
        returns = fast_returns(rews, 0.99)
        theta = fast_update(theta, obs, acts, returns, 1.0)
        lengths.append(len(rews))
        if ep == 1 or ep % (episodes // 5) == 0:
            print(f"episode {ep:4d}  mean length (last 20) {np.mean(lengths[-20:]):7.1f}")
    rounds, reps = (3, 3) if opts.quick else (9, 20)
    obs, acts, rews = rollout(theta, CartPole(), np.random.default_rng(1), max_steps)
    returns = discounted_returns(rews, 0.99)
    print()
    timed = [("discounted_returns", discounted_returns, fast_returns, (rews, 0.99)),
             ("update", update, fast_update, (theta, obs, acts, returns, 1.0))]
    for name, plain, fast, args in timed:
        cmp = compare(plain, fast, args, rounds=rounds, reps=reps)
        print("\n".join(report_lines(name, cmp, fast)))


if __name__ == "__main__":
    main()
