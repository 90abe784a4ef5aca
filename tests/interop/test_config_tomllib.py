#!/usr/bin/python3
"""Cross-check stemfuse's TOML-subset parser against Python's tomllib.

usage: test_config_tomllib.py STEMFUSE_BIN SOURCE_DIR
exit status: 0 pass, 1 fail, 77 skip (no tomllib, or no `stemfuse config`).

* Every SOURCE_DIR/datasets/**/*.toml and SOURCE_DIR/tests/data/config/*.toml:
  `stemfuse config FILE --json` must equal tomllib.load(FILE) with types kept
  (bool, int, float and str are distinct; floats compare exactly, sign of zero
  included), and the normalised TOML `stemfuse config FILE` prints must read
  back in tomllib to the same document.
* tests/data/config/invalid/*.toml: both parsers must reject each file, and
  stemfuse must say "FILE:LINE: ...".
* tests/data/config/unsupported/*.toml: valid TOML outside the stemfuse
  subset; stemfuse must reject each with "FILE:LINE: ..." while tomllib
  accepts it (so the subset stays a true subset of TOML).
* Differential fuzz: MUTATIONS seeded random mutations of the valid fixtures.
  Whatever tomllib rejects stemfuse must reject, and whatever both accept
  must be the same document.
"""
import glob
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile

MUTATIONS = 250  # mutated documents in the differential fuzz (about 1.5 s; 15 s under ASan)
SYNTAX = b"[]=\"'#\n\r\t.,{}\\ 0123456789eE_+-:xu"


def same(a, b, where):
    """None if a and b are equal with types kept, else a description of the first difference."""
    if type(a) is not type(b):
        return f"{where}: {type(a).__name__} {a!r} vs {type(b).__name__} {b!r}"
    if isinstance(a, dict):
        if set(a) != set(b):
            return f"{where}: keys {sorted(a)} vs {sorted(b)}"
        for k in a:
            d = same(a[k], b[k], f"{where}.{k}" if where else k)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} vs {len(b)} elements"
        for i, (x, y) in enumerate(zip(a, b)):
            d = same(x, y, f"{where}[{i}]")
            if d:
                return d
        return None
    if isinstance(a, float):
        if a != b or math.copysign(1.0, a) != math.copysign(1.0, b):
            return f"{where}: {a!r} vs {b!r}"
        return None
    return None if a == b else f"{where}: {a!r} vs {b!r}"


def mutate(rng, data):
    """1 to 3 random edits: truncate, flip a bit, random byte, insert syntax, delete a run."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        if not b:
            break
        at = rng.randrange(len(b))
        op = rng.randrange(5)
        if op == 0:
            del b[at:]
        elif op == 1:
            b[at] ^= 1 << rng.randrange(8)
        elif op == 2:
            b[at] = rng.randrange(256)
        elif op == 3:
            b.insert(at, rng.choice(SYNTAX))
        else:
            del b[at:at + rng.randint(1, 8)]
    return bytes(b)


def differential_fuzz(binary, tomllib, sources, failures):
    rng = random.Random(20240527)
    accepted = both_rejected = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fuzz.toml")
        for i in range(MUTATIONS):
            data = mutate(rng, rng.choice(sources))
            with open(path, "wb") as f:
                f.write(data)
            rc, out, err = run(binary, "config", path, "--json")
            try:
                expected = tomllib.loads(data.decode("utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
                both_rejected += rc != 0
                if rc == 0:
                    failures.append(f"fuzz {i}: stemfuse accepts what tomllib rejects ({e}): "
                                    f"{data!r}")
                continue
            if rc == 0:
                accepted += 1
                d = same(json.loads(out), expected, "")
                if d:
                    failures.append(f"fuzz {i}: documents differ: {d}: {data!r}")
            elif rc != 1 or not re.search(re.escape(path) + r":\d+: \S", err):
                failures.append(f"fuzz {i}: bad failure (exit {rc}): {err.strip()}")
    return accepted, both_rejected


def run(binary, *args):
    p = subprocess.run([binary, *args], capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 1
    binary, source = sys.argv[1], sys.argv[2]
    try:
        import tomllib
    except ImportError:
        print("SKIP: tomllib needs Python 3.11")
        return 77
    if not os.access(binary, os.X_OK):
        print(f"SKIP: {binary} is not built")
        return 77
    rc, out, err = run(binary, "config", "--help")
    if rc != 0 or "usage: stemfuse config" not in out:
        print("SKIP: `stemfuse config` is not available in this build")
        return 77

    failures = []
    config_dir = os.path.join(source, "tests", "data", "config")
    valid = sorted(glob.glob(os.path.join(source, "datasets", "**", "*.toml"), recursive=True))
    valid += sorted(glob.glob(os.path.join(config_dir, "*.toml")))
    for path in valid:
        try:
            with open(path, "rb") as f:
                expected = tomllib.load(f)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            failures.append(f"{path}: tomllib rejects this valid fixture: {e}")
            continue
        rc, out, err = run(binary, "config", path, "--json")
        if rc != 0:
            failures.append(f"{path}: stemfuse rejected a file tomllib reads: {err.strip()}")
            continue
        d = same(json.loads(out), expected, "")
        if d:
            failures.append(f"{path}: --json differs from tomllib: {d}")
        rc, out, err = run(binary, "config", path)
        if rc != 0:
            failures.append(f"{path}: normalised TOML failed: {err.strip()}")
            continue
        try:
            d = same(tomllib.loads(out), expected, "")
        except tomllib.TOMLDecodeError as e:
            d = f"tomllib cannot read the normalised TOML ({e}):\n{out}"
        if d:
            failures.append(f"{path}: normalised TOML differs: {d}")

    def rejected_by_stemfuse(path):
        rc, out, err = run(binary, "config", path, "--json")
        if rc != 1 or not re.search(re.escape(path) + r":\d+: \S", err):
            failures.append(f"{path}: stemfuse should fail with '{path}:LINE: ...' "
                            f"(exit {rc}): {err.strip() or out.strip()}")

    invalid = sorted(glob.glob(os.path.join(config_dir, "invalid", "*.toml")))
    for path in invalid:
        rejected_by_stemfuse(path)
        try:
            with open(path, "rb") as f:
                tomllib.load(f)
            failures.append(f"{path}: tomllib accepts this 'invalid' fixture")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            pass  # tomllib reports bad UTF-8 as a decoding error

    unsupported = sorted(glob.glob(os.path.join(config_dir, "unsupported", "*.toml")))
    for path in unsupported:
        rejected_by_stemfuse(path)
        try:
            with open(path, "rb") as f:
                tomllib.load(f)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            failures.append(f"{path}: not valid TOML ({e}); move it to invalid/")

    sources = []
    for path in valid:
        with open(path, "rb") as f:
            sources.append(f.read())
    accepted, both_rejected = differential_fuzz(binary, tomllib, sources, failures)

    print(f"compared {len(valid)} valid files with tomllib; {len(invalid)} invalid files "
          f"rejected by both parsers; {len(unsupported)} files outside the subset rejected "
          f"by stemfuse and read by tomllib; {MUTATIONS} mutated files: {accepted} read "
          f"identically by both, {both_rejected} rejected by both, "
          f"{MUTATIONS - accepted - both_rejected} outside the subset rejected by stemfuse")
    if len(valid) == 0 or len(invalid) == 0:
        failures.append("no fixtures found: wrong SOURCE_DIR?")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
