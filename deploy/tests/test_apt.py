import subprocess
from pathlib import Path

from clwstwr_ops.apt import INSTALL_SCRIPT

FAKE_APT_GET = """#!/bin/sh
# Records each call, and what policy-rc.d says at that moment.
echo "$* | policy: $("$POLICY" 2>/dev/null; echo $?)" >> "$LOG"
"""


def _install(tmp_path: Path, update: str, policy: Path) -> list[str]:
    apt_get = tmp_path / "apt-get"
    apt_get.write_text(FAKE_APT_GET)
    apt_get.chmod(0o755)
    log = tmp_path / "calls.log"
    subprocess.run(  # noqa: S603 - our own script and fake apt-get
        [
            "/bin/sh",
            "-c",
            INSTALL_SCRIPT,
            "install",
            update,
            str(policy),
            str(apt_get),
            "redis-server",
        ],
        env={"PATH": "/usr/bin:/bin", "POLICY": str(policy), "LOG": str(log)},
        check=True,
    )
    return log.read_text().splitlines()


def test_distro_services_are_held_back_during_the_install_only(tmp_path: Path) -> None:
    policy = tmp_path / "policy-rc.d"

    calls = _install(tmp_path, "1", policy)

    assert calls == [
        "update -q | policy: 101",
        "install -y -q --no-install-recommends redis-server | policy: 101",
    ]
    assert not policy.exists()  # removed again afterwards


def test_an_existing_policy_is_left_alone_and_lists_are_updated_once(tmp_path: Path) -> None:
    policy = tmp_path / "policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 0\n")
    policy.chmod(0o755)

    calls = _install(tmp_path, "0", policy)

    assert calls == ["install -y -q --no-install-recommends redis-server | policy: 0"]
    assert policy.read_text() == "#!/bin/sh\nexit 0\n"
