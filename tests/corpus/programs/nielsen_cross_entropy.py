"""A book-style network v2: cost classes with static methods (quadratic, cross-entropy),
L2 regularisation scaled by the training-set size, mini-batches with a short last one;
only update_mini_batch is decorated (backprop is a plain method it calls)."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class CrossEntropyCost:
    @staticmethod
    def fn(a, y):
        return np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def delta(z, a, y):
        return a - y


class Network:
    def __init__(self, sizes, rng, cost=CrossEntropyCost):
        self.sizes = sizes
        self.biases = [rng.standard_normal((y, 1)) for y in sizes[1:]]
        self.weights = [rng.standard_normal((y, x)) / np.sqrt(x) for x, y in zip(sizes[:-1], sizes[1:])]
        self.cost = cost

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.cost.delta(zs[-1], activations[-1], y)
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, len(self.sizes)):
            sp = sigmoid(zs[-l]) * (1 - sigmoid(zs[-l]))
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return nabla_b, nabla_w

    def update_mini_batch(self, mini_batch, eta, lmbda, n):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [(1 - eta * (lmbda / n)) * w - (eta / len(mini_batch)) * nw
                        for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def total_cost(self, data, lmbda):
        cost = 0.0
        for x, y in data:
            a = x
            for b, w in zip(self.biases, self.weights):
                a = sigmoid(np.dot(w, a) + b)
            cost += self.cost.fn(a, y) / len(data)
        return cost + 0.5 * (lmbda / len(data)) * sum(np.linalg.norm(w) ** 2 for w in self.weights)


def run(jit):
    Network.update_mini_batch = jit(Network.update_mini_batch)
    rng = np.random.default_rng(64)
    xs = rng.standard_normal((50, 4))
    labels = (xs[:, 0] * xs[:, 1] > 0).astype(int)
    data = [(x.reshape(4, 1), np.eye(2)[l].reshape(2, 1)) for x, l in zip(xs, labels)]
    net = Network([4, 8, 2], rng)
    costs = []
    for epoch in range(6):
        order = rng.permutation(len(data))
        shuffled = [data[i] for i in order]
        for k in range(0, len(shuffled), 8):
            net.update_mini_batch(shuffled[k:k + 8], 0.5, 0.1, len(data))
        costs.append(net.total_cost(data, 0.1))
        print("Epoch %d training cost: %.6f" % (epoch, costs[-1]))
    return net, costs
