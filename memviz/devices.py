"""Pick the device to train on (cuda, then mps, then cpu) and say which and why.

`describe_light` answers without importing torch, so the home page opens fast; `pick` imports
torch and is what training uses. Both reach the same answer on the same machine.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from memviz.i18n import t

# Intra-op threads for training on the CPU. The lesson models are small (H <= 256, batch 64),
# so a second thread gains little (0.74 s vs 0.87 s for the default LSTM on an idle 2-core
# machine), while OpenMP threads that spin-wait for a busy core make training 10-40x slower
# whenever anything else runs: another student's training, a second app, a test suite
# (measured: 0.9 s with 1 thread vs 10-36 s with 2 under a second process's load).
CPU_THREADS = 1


def use_cpu_threads() -> None:
    """Set torch's intra-op thread count for CPU training (process-wide, idempotent)."""
    import torch

    if torch.get_num_threads() != CPU_THREADS:
        torch.set_num_threads(CPU_THREADS)


@dataclass(frozen=True)
class DeviceInfo:
    """The device name torch uses ('cuda', 'mps', 'cpu') and a sentence for people (in the
    language of the context that asked: a worker thread's records stay in English)."""

    kind: str
    label: str


# message keys written out, so that grep and the catalogue test see each one: (one, many)
COUNT_KEYS = {"cores": ("devices.cores.one", "devices.cores.many"),
              "threads": ("devices.threads.one", "devices.threads.many")}


def _count(what: str, n: int) -> str:
    """'2 cores' / '1 thread' in the current language (devices.cores.many …)."""
    return t(COUNT_KEYS[what][n != 1], n=n)


def _cpu_label() -> str:
    cores = os.cpu_count() or 1
    return t("devices.cpu", cores=_count("cores", cores), threads=_count("threads", CPU_THREADS))


def in_language(label: str) -> str:
    """A device label recorded in any language (a worker records English; a run loaded from the
    store keeps whatever its trainer wrote), written again in the current language: the numbers
    and the GPU's name are kept, the words translated."""
    if label.startswith("CPU"):
        numbers = re.findall(r"\d+", label)
        if len(numbers) >= 2:
            return t("devices.cpu", cores=_count("cores", int(numbers[0])),
                     threads=_count("threads", int(numbers[1])))
    elif label.startswith("CUDA"):
        name = re.split(r"[:：]", label, maxsplit=1)[-1].strip()
        return t("devices.cuda", name=name)
    elif "MPS" in label:
        return t("devices.mps")
    return label


def _torch_cuda_build() -> bool:
    """Whether the installed torch was built with CUDA, read from its version file, not imported."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return False
    version_file = Path(next(iter(spec.submodule_search_locations))) / "version.py"
    try:
        text = version_file.read_text()
    except OSError:
        return False
    match = re.search(r"^cuda\s*(?::[^=]*)?=\s*(.+)$", text, re.MULTILINE)
    return bool(match) and match.group(1).strip() not in ("None", "''", '""')


def _nvidia_gpu_name() -> str | None:
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    names = [line.strip() for line in out.splitlines() if line.strip()]
    return names[0] if names else None


def describe_light() -> DeviceInfo:
    """Best guess of `pick()` without importing torch (for pages that must open fast)."""
    if "torch" in sys.modules:
        return pick()
    if _torch_cuda_build():
        name = _nvidia_gpu_name()
        if name:
            return DeviceInfo("cuda", t("devices.cuda", name=name))
    if platform.system() == "Darwin" and platform.machine() == "arm64":
        return DeviceInfo("mps", t("devices.mps"))
    return DeviceInfo("cpu", _cpu_label())


def pick(preference: str = "auto") -> DeviceInfo:
    """The device training uses: the preferred one if available, else cuda > mps > cpu."""
    import torch

    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if preference == "cpu":
        return DeviceInfo("cpu", _cpu_label())
    if cuda and preference in ("auto", "cuda"):
        return DeviceInfo("cuda", t("devices.cuda", name=torch.cuda.get_device_name(0)))
    if mps and preference in ("auto", "mps"):
        return DeviceInfo("mps", t("devices.mps"))
    return DeviceInfo("cpu", _cpu_label())
