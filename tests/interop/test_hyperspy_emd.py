"""EMD interop leg (file-formats.md sections 1 and 8): a file written by
`stemfuse pattern` opens in HyperSpy 1.7.3 calibrated and correctly oriented,
and its raw HDF5 layout is the EMD 0.2 one (checked with h5py).

Usage (ctest): /usr/bin/python3 test_hyperspy_emd.py STEMFUSE_BIN SOURCE_DIR
Exit status: 0 pass, 1 fail, 77 skip (HyperSpy or h5py missing and CI unset).

The pattern: signal `pattern` = float32 image 1000*iy + ix, x/y in Å (origin
0, step 0.25); signal `pattern_cube` = float32 cube 1e6*iz + 1000*iy + ix,
third axis "Energy loss" in eV, origin 100, step 0.5. numpy order is (y, x[, E]).
"""
import os
import subprocess
import sys
import tempfile

NX, NY, NZ = 7, 5, 4
PIXEL_A = 0.25
IMAGE, CUBE = "pattern_image", "pattern_cube"
E_ORIGIN_EV, E_STEP_EV = 100.0, 0.5

failures = []


def check(condition, what):
    """Record one named check; print it either way."""
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        failures.append(what)
    return condition


def skip_or_fail(reason):
    if os.environ.get("CI"):
        print(f"FAIL  {reason} (CI is set, so this is a failure)")
        sys.exit(1)
    print(f"SKIP  {reason}")
    sys.exit(77)


def check_h5py(path, h5py, np):
    with h5py.File(path, "r") as f:
        for key, want in (("version_major", 0), ("version_minor", 2)):
            value = f.attrs.get(key)
            check(value is not None and value == want and np.asarray(value).dtype == np.int64,
                  f"h5py: root attribute {key} == {want} (int64), got {value!r}")
        image = f.get(f"signals/{IMAGE}")
        check(image is not None, f"h5py: group /signals/{IMAGE} exists")
        if image is not None:
            check(image.attrs.get("emd_group_type") == 1, f"h5py: {IMAGE} emd_group_type == 1")
            data = image["data"]
            check(data.shape == (NX, NY) and data.dtype == np.float32,
                  f"h5py: {IMAGE} data is float32 with reversed shape (nx, ny) = "
                  f"{(NX, NY)}, got {data.dtype} {data.shape}")
            check(data[5, 3] == 3005, f"h5py: {IMAGE} data[ix=5, iy=3] == 3005, got {data[5, 3]}")
            dim1, dim2 = image["dim1"], image["dim2"]
            check(np.array_equal(dim1[()], PIXEL_A * np.arange(NX)),
                  f"h5py: dim1 is the full x vector 0.25*i (length {NX}), got {dim1[()]}")
            check(np.array_equal(dim2[()], PIXEL_A * np.arange(NY)),
                  f"h5py: dim2 is the full y vector (length {NY})")
            check(dim1.attrs.get("units") == "[Å]" and dim2.attrs.get("units") == "[Å]",
                  f"h5py: x/y units are '[Å]', got {dim1.attrs.get('units')!r}, "
                  f"{dim2.attrs.get('units')!r}")
            check(h5py.check_string_dtype(dim1.attrs.get_id("units").dtype).length is None,
                  "h5py: units is a variable-length string")
        cube = f.get(f"signals/{CUBE}")
        check(cube is not None, f"h5py: group /signals/{CUBE} exists")
        if cube is not None:
            data = cube["data"]
            check(data.shape == (NX, NY, NZ), f"h5py: cube shape (nx, ny, nz) = "
                  f"{(NX, NY, NZ)}, got {data.shape}")
            check(data[5, 3, 2] == 2003005, f"h5py: cube[ix=5, iy=3, iz=2] == 2003005, "
                  f"got {data[5, 3, 2]}")
            check(data.chunks is not None and data.compression == "gzip" and data.shuffle,
                  f"h5py: cube is chunked + shuffle + deflate (chunks {data.chunks}, "
                  f"compression {data.compression}, shuffle {data.shuffle})")
            dim3 = cube["dim3"]
            check(np.array_equal(dim3[()], E_ORIGIN_EV + E_STEP_EV * np.arange(NZ)),
                  f"h5py: dim3 = 100 + 0.5*i, got {dim3[()]}")
            check(dim3.attrs.get("name") == "Energy loss" and dim3.attrs.get("units") == "[eV]",
                  f"h5py: dim3 name 'Energy loss', units '[eV]', got "
                  f"{dim3.attrs.get('name')!r}, {dim3.attrs.get('units')!r}")
        comments = f.get("comments")
        check(comments is not None and comments.attrs.get("generator") == "stemfuse",
              "h5py: /comments generator == 'stemfuse'")


def by_title(signals):
    if not isinstance(signals, list):
        signals = [signals]
    return {s.metadata.General.title: s for s in signals}


def check_hyperspy(path, hs):
    try:
        loaded = hs.load(path)
        default_ok = True
    except Exception as exc:  # HyperSpy raises whatever numpy raises
        default_ok = False
        check(False, f"hyperspy: hs.load(path) with default arguments ({type(exc).__name__}: "
              f"{exc}). HyperSpy 1.7.3 stacks the signals of groups whose name is a prefix "
              f"of another's ({IMAGE!r} / {CUBE!r}, emd.py read_file stack_group); "
              f"signal names must not be prefixes of each other")
    if not default_ok:
        loaded = hs.load(path, stack_group=False)
        print("note  the remaining HyperSpy checks use hs.load(path, stack_group=False)")
    signals = by_title(loaded)
    check(set(signals) == {IMAGE, CUBE},
          f"hyperspy: titles are {IMAGE} and {CUBE}, got {sorted(signals)}")

    image = signals.get(IMAGE)
    if image is not None:
        check(image.data.shape == (NY, NX), f"hyperspy: image data.shape == {(NY, NX)}, "
              f"got {image.data.shape}")
        check(image.data[3, 5] == 3005, f"hyperspy: image data[3, 5] == 3005, "
              f"got {image.data[3, 5]}")
        check(image.axes_manager.signal_dimension == 2, "hyperspy: image is a 2-D signal")
        for index, name in ((0, "x"), (1, "y")):
            axis = image.axes_manager.signal_axes[index]
            check(axis.scale == PIXEL_A and axis.offset == 0 and axis.units == "Å",
                  f"hyperspy: image {name} axis scale 0.25, offset 0, units 'Å', got "
                  f"{axis.scale}, {axis.offset}, {axis.units!r}")
        om = image.original_metadata.as_dictionary()
        check(om.get("comments", {}).get("generator") == "stemfuse",
              "hyperspy: original_metadata.comments.generator == 'stemfuse'")

    cube = signals.get(CUBE)
    if cube is not None:
        if cube.axes_manager.signal_dimension != 1:
            cube = cube.as_signal1D("Energy loss")
        check(cube.data.shape == (NY, NX, NZ), f"hyperspy: cube (after as_signal1D) "
              f"data.shape == {(NY, NX, NZ)}, got {cube.data.shape}")
        check(cube.data[3, 5, 2] == 2003005, f"hyperspy: cube data[3, 5, 2] == 2003005, "
              f"got {cube.data[3, 5, 2]}")
        energy = cube.axes_manager.signal_axes[0]
        check(energy.name == "Energy loss" and energy.offset == E_ORIGIN_EV
              and energy.scale == E_STEP_EV and energy.units == "eV",
              f"hyperspy: energy axis 'Energy loss' offset 100, scale 0.5, units 'eV', got "
              f"{energy.name!r}, {energy.offset}, {energy.scale}, {energy.units!r}")
        for axis, name in zip(cube.axes_manager.navigation_axes, ("x", "y")):
            check(axis.scale == PIXEL_A and axis.units == "Å",
                  f"hyperspy: cube {name} axis scale 0.25, units 'Å', got {axis.scale}, "
                  f"{axis.units!r}")
        om = cube.original_metadata.as_dictionary()
        check(om.get("comments", {}).get("generator") == "stemfuse",
              "hyperspy: cube original_metadata.comments.generator == 'stemfuse'")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 1
    stemfuse, _source_dir = sys.argv[1], sys.argv[2]
    try:
        import numpy as np
        import h5py
        import hyperspy
        import hyperspy.api as hs
    except ImportError as exc:
        skip_or_fail(f"cannot import HyperSpy/h5py/numpy: {exc}")
    print(f"HyperSpy {hyperspy.__version__}, h5py {h5py.__version__}, numpy {np.__version__}")

    with tempfile.TemporaryDirectory(prefix="sf-hyperspy-") as tmp:
        path = os.path.join(tmp, "p.emd")
        command = [stemfuse, "pattern", "--nx", str(NX), "--ny", str(NY), "--nz", str(NZ),
                   "--pixel-size-A", str(PIXEL_A), "-o", path]
        run = subprocess.run(command, capture_output=True, text=True)
        if not check(run.returncode == 0 and os.path.exists(path),
                     f"{' '.join(command)} exits 0 and writes the file"):
            print(run.stdout + run.stderr)
            return 1
        check_h5py(path, h5py, np)
        check_hyperspy(path, hs)

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
