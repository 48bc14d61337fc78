"""The networks, at module level (only training and loading import this module; it imports torch).

Problem 5's ε̂θ(x, t): [x, emb(t)] → Linear → (ReLU?) → 4 × [Linear(h, h) + ReLU] → Linear(h, 2),
with emb(t) = t itself (raw, the notebook) or 16 sinusoids of t/T (sin/cos at 8 frequencies).
"""

from __future__ import annotations

import torch
from torch import nn

EMBEDDING_WIDTH = {"sinusoidal": 16, "raw": 1}


class EpsNet(nn.Module):
    """ε̂θ(x, t) of Problem 5 (the toy-diffusion notebook's MLP, with the fast recipe's options)."""

    def __init__(self, *, hidden: int = 64, embedding: str = "sinusoidal", first_activation: bool = True,
                 T: int = 40) -> None:
        super().__init__()
        self.embedding = embedding
        first: list[nn.Module] = [nn.Linear(2 + EMBEDDING_WIDTH[embedding], hidden)]
        if first_activation:
            first.append(nn.ReLU())
        body: list[nn.Module] = []
        for _ in range(4):
            body += [nn.Linear(hidden, hidden), nn.ReLU()]
        self.net = nn.Sequential(*first, *body, nn.Linear(hidden, 2))
        self.register_buffer("freqs", torch.pi * 2.0 ** torch.arange(8, dtype=torch.float32))
        self.register_buffer("T", torch.tensor(float(T)))

    def embed(self, t: torch.Tensor) -> torch.Tensor:
        """raw: t; sinusoidal: sin(2^k π t/T), cos(2^k π t/T) for k = 0 … 7."""
        if self.embedding == "raw":
            return t[:, None]
        angles = (t[:, None] / self.T) * self.freqs[None, :]
        return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)

    def inputs(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """What the first layer sees: [x, emb(t)]."""
        return torch.cat([x, self.embed(t.float())], dim=1)

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.net(self.inputs(x, t))
