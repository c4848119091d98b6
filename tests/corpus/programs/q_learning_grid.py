"""Tabular Q-learning on a small grid world: epsilon-greedy actions from np.random, a
Q-table updated in place per transition, episode returns printed every 50 episodes."""
import numpy as np

SIZE = 5
GOAL = (4, 4)
MOVES = np.array([[0, 1], [1, 0], [0, -1], [-1, 0]])


def choose_action(Q, s, eps):
    if np.random.rand() < eps:
        return np.random.randint(4)
    return int(np.argmax(Q[s]))


def q_update(Q, s, a, r, s2, done, alpha, gamma):
    target = r if done else r + gamma * np.max(Q[s2])
    Q[s, a] += alpha * (target - Q[s, a])
    return abs(target - Q[s, a])


def env_step(pos, a):
    nxt = np.clip(pos + MOVES[a], 0, SIZE - 1)
    done = tuple(nxt) == GOAL
    return nxt, (1.0 if done else -0.04), done


def run(jit):
    global choose_action, q_update
    choose_action = jit(choose_action)
    q_update = jit(q_update)
    np.random.seed(38)
    Q = np.zeros((SIZE * SIZE, 4))
    returns = []
    for ep in range(120):
        pos = np.array([0, 0])
        total = 0.0
        for t in range(40):
            s = pos[0] * SIZE + pos[1]
            a = choose_action(Q, s, max(0.05, 1.0 - ep / 80))
            pos, r, done = env_step(pos, a)
            q_update(Q, s, a, r, pos[0] * SIZE + pos[1], done, 0.5, 0.95)
            total += r
            if done:
                break
        returns.append(total)
        if ep % 40 == 0:
            print(f"episode {ep}: return {total:.2f}")
    return Q, returns
