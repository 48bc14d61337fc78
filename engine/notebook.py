"""What the toy-diffusion notebook printed, kept as data so a run can be shown beside it.

Source: albarji/toy-diffusion, ``swissRoll.ipynb`` (MIT, Copyright (c) 2023 Álvaro Barbero Jiménez), the
printed output of cell 23, whose loop ends with ``print(f"Epoch {epoch} loss = {epoch_loss / steps}")``:
the mean over each epoch's 49 batches of the batch loss (nn.MSELoss), for epochs 0…99, copied digit for digit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

NOTEBOOK_LOSS_SOURCE = "albarji/toy-diffusion swissRoll.ipynb, cell 23 output (\"Epoch e loss = …\")"
NOTEBOOK_EPOCH_LOSSES: tuple[float, ...] = (
    0.7364901900291443, 0.5295823216438293, 0.5112807750701904, 0.5023061633110046,
    0.4911198318004608, 0.48183849453926086, 0.4834265410900116, 0.47927579283714294,
    0.47591617703437805, 0.4716091752052307, 0.467377632856369, 0.4620705842971802,
    0.4619063138961792, 0.45660072565078735, 0.456857293844223, 0.45011258125305176,
    0.4487815201282501, 0.449441134929657, 0.44449368119239807, 0.4443686902523041,
    0.4478815793991089, 0.4429353177547455, 0.4434962272644043, 0.4453344941139221,
    0.44213029742240906, 0.44087448716163635, 0.43919071555137634, 0.4377883970737457,
    0.4390089511871338, 0.44198569655418396, 0.4409542381763458, 0.44018280506134033,
    0.437855988740921, 0.43949294090270996, 0.4369133710861206, 0.4384835958480835,
    0.4383200705051422, 0.43393459916114807, 0.4346977770328522, 0.4348736107349396,
    0.4402620196342468, 0.43626442551612854, 0.4363307058811188, 0.43682050704956055,
    0.4387916624546051, 0.4363754093647003, 0.4351460039615631, 0.43490472435951233,
    0.433416485786438, 0.4369223713874817, 0.4398670792579651, 0.43304625153541565,
    0.43501269817352295, 0.43672335147857666, 0.43724846839904785, 0.4388028681278229,
    0.4369741976261139, 0.43222910165786743, 0.43681707978248596, 0.4392700493335724,
    0.4372377395629883, 0.44108954071998596, 0.4334133267402649, 0.4366305470466614,
    0.4347272217273712, 0.4350039064884186, 0.4377979636192322, 0.4330809712409973,
    0.43925976753234863, 0.4336431622505188, 0.4338361322879791, 0.43468594551086426,
    0.43233051896095276, 0.4341423511505127, 0.4381205141544342, 0.43983039259910583,
    0.4345051348209381, 0.4369836449623108, 0.43486469984054565, 0.43503814935684204,
    0.43530789017677307, 0.43504148721694946, 0.4335043728351593, 0.43629181385040283,
    0.43489232659339905, 0.4323682487010956, 0.43774595856666565, 0.43366971611976624,
    0.4341781735420227, 0.4312349259853363, 0.4357861280441284, 0.4318126142024994,
    0.434315949678421, 0.4329284131526947, 0.43322551250457764, 0.4355180561542511,
    0.4365697205066681, 0.4315575063228607, 0.4345400631427765, 0.43682315945625305,
)
"""Epoch e's printed loss is NOTEBOOK_EPOCH_LOSSES[e] (epoch 0 ≈ 0.736, epoch 99 ≈ 0.437)."""


def epoch_mean_losses(step_losses, steps_per_epoch: int) -> tuple[float, ...]:
    """The notebook's per-epoch number from per-step losses: epoch_loss / steps, the plain mean of the
    epoch's batch losses (a shorter last batch counts as much as the others). A partial last epoch
    (a cancelled run) is averaged over the steps it has."""
    if steps_per_epoch < 1:
        raise ValueError(f"steps_per_epoch must be ≥ 1, got {steps_per_epoch}")
    losses = list(step_losses)
    return tuple(math.fsum(losses[i:i + steps_per_epoch]) / len(losses[i:i + steps_per_epoch])
                 for i in range(0, len(losses), steps_per_epoch))


@dataclass(frozen=True)
class LossCurves:
    """A run's per-epoch mean loss beside the notebook's printed one (same quantity, same units)."""

    ours: tuple[float, ...]
    notebook: tuple[float, ...]
    source: str = NOTEBOOK_LOSS_SOURCE

    @property
    def epochs(self) -> tuple[int, ...]:
        return tuple(range(max(len(self.ours), len(self.notebook))))


def loss_curves(trained) -> LossCurves:
    """The per-epoch mean loss of a trained ε-network (engine.eps_net.TrainedEps; its recorded per-step
    losses, grouped by epoch as the notebook's loop does: ⌈n_data / batch⌉ steps an epoch) and the
    notebook's printed curve. Meaningful for the faithful recipe (the fast one has no epochs: its
    steps are grouped in blocks of the same size)."""
    s = trained.settings
    per_epoch = math.ceil(s.n_data / s.batch)
    ours = epoch_mean_losses(trained.outcome.losses, per_epoch) if trained.outcome is not None else ()
    return LossCurves(ours, NOTEBOOK_EPOCH_LOSSES)
