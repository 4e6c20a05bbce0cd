"""A built wheel carries the models and the sample corpus: installed outside the checkout, `audit` works."""
import json
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installed_in_a_fresh_environment_audits_the_sample(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
                    str(REPO)], check=True)
    (wheel,) = dist.glob("corpus_audit-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The dependencies come from this environment (no downloads); corpus_audit itself only from the wheel.
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    Path(purelib, "_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([venv / "bin" / "corpus-audit", "audit", "--quiet", "--workers", "1"], cwd=elsewhere,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((elsewhere / "reports" / "audit.json").read_text())
    assert report["corpus"]["documents"] >= 400
    assert "_bundled" in report["corpus"]["paths"][0]  # read from the installed package, not the checkout
    assert report["model"]["version"]  # the shipped portrayal model came along
    assert {"fiction", "forum", "media", "reference", "other"} <= set(report["by_source"])
